import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EmfMetricsSink } from './emf-sink.ts'
import { PowertoolsMetricsSink } from './powertools-sink.ts'
import type { MetricGroup, MetricSeries, MetricsBatch } from './sink.ts'

interface Directive {
  Namespace: string
  Dimensions: string[][]
  Metrics: Array<{ Name: string; Unit: string }>
}
type Document = { _aws: { Timestamp: number; CloudWatchMetrics: Directive[] } } & Record<string, unknown>

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678)
const options = { namespace: 'SinkTest', serviceName: 'sink-test' }

/** The lines Powertools' sink prints (its console writes to stdout), parsed; as powertools-sink.test.ts captures them. */
function powertoolsDocuments(...batches: MetricsBatch[]): Document[] {
  const sink = new PowertoolsMetricsSink(options)
  const lines: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  }) as typeof process.stdout.write)
  try {
    for (const batch of batches) sink.publish(batch)
  } finally {
    spy.mockRestore()
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Document)
}

function emfLines(...batches: MetricsBatch[]): string[] {
  const lines: string[] = []
  const sink = new EmfMetricsSink({ ...options, write: (line) => lines.push(line) })
  for (const batch of batches) sink.publish(batch)
  return lines
}

const emfDocuments = (...batches: MetricsBatch[]): Document[] =>
  emfLines(...batches).map((line) => JSON.parse(line) as Document)

const operation: MetricGroup = {
  dimensions: { repository: 'documents', operation: 'findById' },
  metrics: [
    { name: 'OperationCount', unit: 'Count', values: [1] },
    { name: 'OperationDuration', unit: 'Milliseconds', values: [0.25, 1.5, 3] },
    { name: 'CacheMemoryHit', unit: 'Count', values: [1] },
  ],
}
const findMany: MetricGroup = { ...operation, dimensions: { repository: 'documents', operation: 'findMany' } }
const request: MetricGroup = {
  dimensions: {},
  metrics: [
    { name: 'Requests', unit: 'Count', values: [1] },
    { name: 'RequestDuration', unit: 'Milliseconds', values: [0.5] },
  ],
}
const cacheTier = (tier: string): MetricGroup => ({
  dimensions: { cacheTier: tier, queryType: 'byId' },
  metrics: [
    { name: `Cache${tier}Hits`, unit: 'Count', values: [2] },
    { name: `Cache${tier}Latency`, unit: 'Milliseconds', values: [0.1, 0.2] },
  ],
})
const route: MetricGroup = {
  dimensions: { route: 'GET /documents/{id}' },
  metrics: [{ name: 'RouteRequests', unit: 'Count', values: [1] }],
}
const metadata = { requestId: 'req-1', route: 'GET /documents/{id}', organizationId: 'acme' }
const batch = (groups: MetricGroup[], meta: Record<string, string> = metadata): MetricsBatch => ({
  timestamp: NOW,
  groups,
  metadata: meta,
})
const counts = (prefix: string, n: number): MetricSeries[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, unit: 'Count' as const, values: [i] }))
const wide = (prefix: string, n: number, dimensions: Record<string, string>): MetricGroup => ({
  dimensions,
  metrics: counts(prefix, n),
})
const durations = (n: number) => Array.from({ length: n }, (_, i) => i / 8)

// Powertools' sink stamps a document with the clock when it serializes, this one with the batch's timestamp.
beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('EmfMetricsSink', () => {
  const cases: Array<[string, MetricsBatch[]]> = [
    ['one group with dimensions', [batch([operation])]],
    ['one group without dimensions', [batch([request])]],
    ["a request's group and its operation's: one document", [batch([operation, request])]],
    ['groups that clash (a metric name twice, a dimension with two values)', [batch([operation, findMany, request])]],
    [
      'several groups with different dimension sets',
      [batch([request, operation, cacheTier('Memory'), cacheTier('Redis'), findMany, route])],
    ],
    ['no metadata', [batch([operation, request], {})]],
    [
      'metadata named like a dimension or a metric: the member wins',
      [batch([operation, request], { ...metadata, operation: 'meta', Requests: 'meta', service: 'meta' })],
    ],
    ['a group with a service dimension of its own', [batch([{ ...route, dimensions: { service: 'other' } }, request])]],
    [
      'a blank or empty dimension is left out',
      [batch([{ ...route, dimensions: { route: ' ', tier: '', ok: 'yes' } }, request])],
    ],
    [
      'a series without values, a group without metrics',
      [
        batch([
          { ...operation, metrics: [...operation.metrics, { name: 'Empty', unit: 'Count', values: [] }] },
          { dimensions: { job: 'warm' }, metrics: [] },
          request,
        ]),
      ],
    ],
    [
      "a metric named like another group's dimension",
      [batch([operation, { dimensions: {}, metrics: [{ name: 'repository', unit: 'Count', values: [1] }] }])],
    ],
    [
      'numbers JSON cannot hold',
      [batch([{ ...request, metrics: [{ name: 'Odd', unit: 'Count', values: [Number.NaN] }] }])],
    ],
    ['more than 100 metrics in all: two documents', [batch([wide('a', 60, { repository: 'a' }), wide('b', 60, {})])]],
    ['150 metrics in one group', [batch([wide('m', 150, { repository: 'documents' }), request])]],
    [
      'a series with more values than one metric holds',
      [
        batch([
          { ...operation, metrics: [{ name: 'OperationDuration', unit: 'Milliseconds', values: durations(250) }] },
          request,
        ]),
      ],
    ],
    [
      'more dimension sets than Powertools keeps instances for',
      [
        batch(
          Array.from({ length: 300 }, (_, i) => ({
            dimensions: { [`k${i}`]: 'v', service: i % 2 ? 'odd' : 'sink-test' },
            metrics: [{ name: `M${i}`, unit: 'Count' as const, values: [i] }],
          })),
        ),
      ],
    ],
    ['several batches', [batch([operation, request]), batch([findMany]), batch([request, cacheTier('Memory')])]],
  ]

  it.each(cases)('writes the documents Powertools writes: %s', (_, batches) => {
    const expected = powertoolsDocuments(...batches)
    expect(expected.length).toBeGreaterThan(0)
    expect(emfDocuments(...batches)).toEqual(expected)
  })

  it('merges like Powertools: one line for a request and its operation, one directive each', () => {
    const [document, ...rest] = emfDocuments(batch([operation, request]))
    expect(rest).toEqual([])
    expect(document).toEqual({
      _aws: {
        Timestamp: NOW,
        CloudWatchMetrics: [
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
        ],
      },
      ...metadata,
      service: 'sink-test',
      repository: 'documents',
      operation: 'findById',
      OperationCount: 1,
      OperationDuration: [0.25, 1.5, 3],
      CacheMemoryHit: 1,
      Requests: 1,
      RequestDuration: 0.5,
    })
  })

  it('stamps each document with the batch timestamp', () => {
    const at = NOW - 5_000
    const documents = emfDocuments({ ...batch([operation, findMany]), timestamp: at })
    expect(documents.map((document) => document._aws.Timestamp)).toEqual([at, at])
  })

  it("writes to console.log by default, the one of each line's time", () => {
    const sink = new EmfMetricsSink(options)
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    sink.publish(batch([request]))
    expect(log).toHaveBeenCalledTimes(1)
    expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({ service: 'sink-test', Requests: 1 })
  })

  it("falls back on Powertools' default namespace and service", () => {
    const lines: string[] = []
    new EmfMetricsSink({ write: (line) => lines.push(line) }).publish(batch([request]))
    const document = JSON.parse(lines[0] as string) as Document
    expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe('default_namespace')
    expect(document.service).toBe('service_undefined')
  })

  it('escapes names and values as JSON', () => {
    const odd: MetricGroup = {
      dimensions: { 'a"b': 'c\\d\n' },
      metrics: [{ name: 'quote"d', unit: 'Count', values: [1] }],
    }
    const documents = emfDocuments(batch([odd], { 'meta"': 'line\u2028two' }))
    expect(documents).toEqual(powertoolsDocuments(batch([odd], { 'meta"': 'line\u2028two' })))
    expect(documents[0]).toMatchObject({ 'a"b': 'c\\d\n', 'quote"d': 1, 'meta"': 'line\u2028two' })
  })
})

describe('EmfMetricsSink limits', () => {
  const metricsIn = (document: Document) =>
    document._aws.CloudWatchMetrics.reduce((sum, directive) => sum + directive.Metrics.length, 0)

  it('never puts more than 100 metrics in one document, and loses none', () => {
    const documents = emfDocuments(batch([wide('a', 60, { repository: 'a' }), wide('b', 70, {}), wide('c', 150, {})]))
    for (const document of documents) expect(metricsIn(document)).toBeLessThanOrEqual(100)
    expect(documents.reduce((sum, document) => sum + metricsIn(document), 0)).toBe(280)
  })

  it('never gives one metric more than 100 values (99, as Powertools), and keeps every value in order', () => {
    const values = durations(250)
    const documents = emfDocuments(batch([{ dimensions: {}, metrics: [{ name: 'D', unit: 'Milliseconds', values }] }]))
    const pieces = documents.map((document) => document.D as number[])
    expect(pieces.map((piece) => piece.length)).toEqual([99, 99, 52])
    expect(pieces.flat()).toEqual(values)
  })

  it('throws, as Powertools does, for a group with more than 29 dimensions', () => {
    const dimensions = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, 'v']))
    expect(() => emfLines(batch([{ dimensions, metrics: counts('m', 1) }]))).toThrow(RangeError)
  })

  it('keeps every line far below the 256 KB of a log event', () => {
    const long = (prefix: string) => ({
      dimensions: { repository: prefix },
      metrics: Array.from({ length: 100 }, (_, i) => ({
        name: `${prefix}-${'x'.repeat(200)}-${i}`,
        unit: 'Milliseconds' as const,
        values: durations(99).map((v) => v + 123456.123456789),
      })),
    })
    const big = batch([long('a'), long('b')])
    const lines = emfLines(big)
    // each group over the byte budget is split, and no two pieces share a line
    expect(lines).toHaveLength(4)
    for (const line of lines) expect(new TextEncoder().encode(line).length).toBeLessThan(256 * 1024)
    expect(lines.map((line) => JSON.parse(line))).toEqual(powertoolsDocuments(big))
  })
})
