/**
 * Checks CloudWatch Embedded Metric Format lines against the specification
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)
 * and captures the lines either sink prints: Powertools writes to stdout,
 * EmfMetricsSink through console.log.
 */
import { expect, vi } from 'vitest'

export const EMF_UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
])

export interface EmfDirective {
  Namespace: string
  Dimensions: string[][]
  Metrics: Array<{ Name: string; Unit?: string; StorageResolution?: number }>
}

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] }
  [member: string]: unknown
}

const MAX_EVENT_BYTES = 256 * 1024

/** Parses one line and fails the test with the rule it breaks. */
export function validEmf(line: string): EmfDocument {
  expect(new TextEncoder().encode(line).length, 'a log event is at most 256 KB').toBeLessThanOrEqual(MAX_EVENT_BYTES)
  const document = JSON.parse(line) as EmfDocument
  const aws = document._aws
  expect(aws, 'the _aws envelope').toBeTypeOf('object')
  expect(Number.isInteger(aws.Timestamp) && aws.Timestamp > 0, 'Timestamp: ms since the epoch').toBe(true)
  expect(Math.abs(aws.Timestamp - Date.now()), 'Timestamp is now, give or take').toBeLessThan(3_600_000)
  expect(Array.isArray(aws.CloudWatchMetrics) && aws.CloudWatchMetrics.length > 0, 'CloudWatchMetrics').toBe(true)
  for (const directive of aws.CloudWatchMetrics) {
    expect(directive.Namespace).toMatch(/^[^\s].{0,254}$/)
    expect(Array.isArray(directive.Dimensions), 'Dimensions is an array of dimension sets').toBe(true)
    for (const set of directive.Dimensions) {
      expect(Array.isArray(set), 'a dimension set is an array of names').toBe(true)
      expect(set.length, 'at most 30 dimensions per set').toBeLessThanOrEqual(30)
      for (const name of set) {
        expect(typeof document[name], `dimension ${name} is a string member at the top level`).toBe('string')
      }
    }
    expect(directive.Metrics.length, 'at most 100 metrics per directive').toBeLessThanOrEqual(100)
    expect(directive.Metrics.length).toBeGreaterThan(0)
    for (const metric of directive.Metrics) {
      expect(metric.Name).toMatch(/^.{1,255}$/)
      if (metric.Unit !== undefined) expect(EMF_UNITS.has(metric.Unit), `unit ${metric.Unit}`).toBe(true)
      if (metric.StorageResolution !== undefined) expect([1, 60]).toContain(metric.StorageResolution)
      const value = document[metric.Name]
      const values = Array.isArray(value) ? value : [value]
      expect(values.length, `${metric.Name} has at most 100 values`).toBeLessThanOrEqual(100)
      for (const v of values)
        expect(typeof v === 'number' && Number.isFinite(v), `${metric.Name} is numeric`).toBe(true)
    }
  }
  return document
}

/** The value of `metric` in the documents whose dimensions match, summed. */
export function metricTotal(
  documents: readonly EmfDocument[],
  metric: string,
  dimensions: Record<string, string> = {},
): number {
  let total = 0
  for (const document of documents) {
    const matches = Object.entries(dimensions).every(([name, value]) => document[name] === value)
    const value = document[metric]
    if (!matches || value === undefined) continue
    total += Array.isArray(value) ? value.reduce((sum: number, v: number) => sum + v, 0) : (value as number)
  }
  return total
}

/** The number of values recorded for `metric` (a duration's sample count). */
export function metricSamples(
  documents: readonly EmfDocument[],
  metric: string,
  dimensions: Record<string, string> = {},
) {
  return documents
    .filter((d) => Object.entries(dimensions).every(([name, value]) => d[name] === value))
    .flatMap((d) =>
      d[metric] === undefined ? [] : Array.isArray(d[metric]) ? (d[metric] as number[]) : [d[metric] as number],
    )
}

/** Collects the EMF lines written to stdout (Powertools' own Console writes there) until `stop()`. */
export function captureStdoutEmf(): { lines: () => string[]; documents: () => EmfDocument[]; stop: () => void } {
  const captured: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ) => {
    const text = typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)
    const lines = text.split('\n').filter((line) => line.startsWith('{"_aws"'))
    if (lines.length === 0) return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
    captured.push(...lines)
    return true
  }) as typeof process.stdout.write)
  // EmfMetricsSink prints through console.log, which vitest does not route through process.stdout
  const log = console.log.bind(console)
  const logSpy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('{"_aws"')) captured.push(args[0])
    else log(...args)
  })
  return {
    lines: () => [...captured],
    documents: () => captured.map(validEmf),
    stop: () => {
      spy.mockRestore()
      logSpy.mockRestore()
    },
  }
}
