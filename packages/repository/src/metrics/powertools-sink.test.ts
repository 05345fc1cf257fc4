import { afterEach, describe, expect, it, vi } from 'vitest'
import { PowertoolsMetricsSink } from './powertools-sink.ts'
import type { MetricGroup, MetricsBatch } from './sink.ts'

interface Directive {
  Namespace: string
  Dimensions: string[][]
  Metrics: Array<{ Name: string; Unit: string }>
}
type Document = { _aws: { Timestamp: number; CloudWatchMetrics: Directive[] } } & Record<string, unknown>

/** The lines the sink prints (Powertools' console writes to stdout), parsed. */
function printed(publish: () => void): Document[] {
  const lines: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  }) as typeof process.stdout.write)
  try {
    publish()
  } finally {
    spy.mockRestore()
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Document)
}

/**
 * What CloudWatch extracts from the documents: one data point set per directive and metric, named,
 * with its unit, namespace and the values of its directive's dimension set.
 */
function extracted(documents: Document[]): string[] {
  return documents
    .flatMap((document) =>
      document._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Dimensions.flatMap((set) =>
          directive.Metrics.map((metric) => {
            const dimensions = set.map((name) => `${name}=${document[name]}`).join(',')
            return `${directive.Namespace} ${metric.Name} (${metric.Unit}) [${dimensions}] ${JSON.stringify(document[metric.Name])}`
          }),
        ),
      ),
    )
    .sort()
}

const operation: MetricGroup = {
  dimensions: { repository: 'documents', operation: 'findById' },
  metrics: [
    { name: 'OperationCount', unit: 'Count', values: [1] },
    { name: 'OperationDuration', unit: 'Milliseconds', values: [0.25] },
    { name: 'CacheMemoryHit', unit: 'Count', values: [1] },
  ],
}
const request: MetricGroup = {
  dimensions: {},
  metrics: [
    { name: 'Requests', unit: 'Count', values: [1] },
    { name: 'RequestDuration', unit: 'Milliseconds', values: [0.5] },
  ],
}
const metadata = { requestId: 'req-1', route: 'GET /documents/{id}', organizationId: 'acme' }
const batch = (...groups: MetricGroup[]): MetricsBatch => ({ timestamp: Date.now(), groups, metadata })

const newSink = () => new PowertoolsMetricsSink({ namespace: 'SinkTest', serviceName: 'sink-test' })

afterEach(() => vi.restoreAllMocks())

describe('PowertoolsMetricsSink', () => {
  it("prints a request's line and its operation's as one document, one directive each", () => {
    const documents = printed(() => newSink().publish(batch(operation, request)))

    expect(documents).toHaveLength(1)
    const [document] = documents as [Document]
    expect(document._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'SinkTest',
        Dimensions: [['service', 'repository', 'operation']],
        Metrics: [
          { Name: 'OperationCount', Unit: 'Count' },
          { Name: 'OperationDuration', Unit: 'Milliseconds' },
          { Name: 'CacheMemoryHit', Unit: 'Count' },
        ],
      },
      {
        Namespace: 'SinkTest',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'Requests', Unit: 'Count' },
          { Name: 'RequestDuration', Unit: 'Milliseconds' },
        ],
      },
    ])
    expect(document).toMatchObject({ ...metadata, service: 'sink-test', repository: 'documents' })
  })

  it('publishes every metric with the name, unit, dimensions and values of one line per group', () => {
    const sink = newSink()
    const merged = printed(() => sink.publish(batch(operation, request)))
    const separate = printed(() => {
      sink.publish(batch(operation))
      sink.publish(batch(request))
    })

    expect(separate).toHaveLength(2)
    expect(extracted(merged)).toEqual(extracted(separate))
    expect(extracted(merged)).toEqual([
      'SinkTest CacheMemoryHit (Count) [service=sink-test,repository=documents,operation=findById] 1',
      'SinkTest OperationCount (Count) [service=sink-test,repository=documents,operation=findById] 1',
      'SinkTest OperationDuration (Milliseconds) [service=sink-test,repository=documents,operation=findById] 0.25',
      'SinkTest RequestDuration (Milliseconds) [service=sink-test] 0.5',
      'SinkTest Requests (Count) [service=sink-test] 1',
    ])
  })

  it('keeps groups whose members clash on lines of their own: a metric name twice, a dimension with two values', () => {
    const findMany: MetricGroup = { ...operation, dimensions: { repository: 'documents', operation: 'findMany' } }
    const documents = printed(() => newSink().publish(batch(operation, findMany, request)))

    // findById and findMany both have OperationCount and an `operation`: two lines; the request's joins the first
    expect(documents).toHaveLength(2)
    expect(documents.map((document) => document._aws.CloudWatchMetrics.length)).toEqual([2, 1])
    for (const document of documents) expect(document).toMatchObject(metadata)
    expect(extracted(documents).filter((point) => point.includes('OperationCount'))).toEqual([
      'SinkTest OperationCount (Count) [service=sink-test,repository=documents,operation=findById] 1',
      'SinkTest OperationCount (Count) [service=sink-test,repository=documents,operation=findMany] 1',
    ])
  })

  it('never puts more than 100 metrics in one document', () => {
    const wide = (prefix: string): MetricGroup => ({
      dimensions: { repository: prefix, operation: 'op' },
      metrics: Array.from({ length: 60 }, (_, i) => ({ name: `${prefix}${i}`, unit: 'Count' as const, values: [i] })),
    })
    const documents = printed(() => newSink().publish(batch(wide('a'), { ...wide('b'), dimensions: {} })))

    expect(documents).toHaveLength(2)
    for (const document of documents) {
      const count = document._aws.CloudWatchMetrics.reduce((sum, directive) => sum + directive.Metrics.length, 0)
      expect(count).toBeLessThanOrEqual(100)
    }
  })
})
