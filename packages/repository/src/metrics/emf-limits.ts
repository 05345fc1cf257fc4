/**
 * Splits a batch into objects CloudWatch accepts: at most 100 metrics per
 * object, 100 values per metric, 30 dimensions per set, 256 KB per log event
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * A group over a limit becomes several objects with the same dimensions;
 * a metric with more values is spread over several objects.
 */
import type { MetricGroup, MetricSeries, MetricsBatch } from './sink.ts'

export interface EmfLimits {
  metricsPerObject: number
  valuesPerMetric: number
  /** Dimensions per set, besides the ones the adapter adds (the service). */
  dimensions: number
  /** Budget for the estimated JSON size of one object, below the 256 KB of a log event. */
  bytesPerObject: number
}

export const EMF_LIMITS: EmfLimits = {
  metricsPerObject: 100,
  valuesPerMetric: 100,
  dimensions: 29,
  bytesPerObject: 200_000,
}

export interface EmfObject {
  dimensions: MetricGroup['dimensions']
  metrics: MetricSeries[]
}

export function emfObjects(batch: MetricsBatch, limits: EmfLimits = EMF_LIMITS): EmfObject[] {
  const fixedBytes = 300 + jsonLength(batch.metadata)
  const objects: EmfObject[] = []
  for (const group of batch.groups) {
    if (Object.keys(group.dimensions).length > limits.dimensions) {
      throw new RangeError(`a metric group has more than ${limits.dimensions} dimensions`)
    }
    const groupBytes = fixedBytes + 2 * jsonLength(group.dimensions)
    if (fitsWhole(group, groupBytes, limits)) {
      objects.push({ dimensions: group.dimensions, metrics: group.metrics })
      continue
    }
    let current: MetricSeries[] = []
    let names = new Set<string>()
    let bytes = groupBytes
    for (const piece of group.metrics.flatMap((series) => pieces(series, limits.valuesPerMetric))) {
      const size = seriesBytes(piece)
      const full = current.length === limits.metricsPerObject || bytes + size > limits.bytesPerObject
      // One object cannot hold the same metric twice: the next piece of a long series starts a new one.
      if (current.length > 0 && (full || names.has(piece.name))) {
        objects.push({ dimensions: group.dimensions, metrics: current })
        current = []
        names = new Set()
        bytes = groupBytes
      }
      current.push(piece)
      names.add(piece.name)
      bytes += size
    }
    if (current.length > 0) objects.push({ dimensions: group.dimensions, metrics: current })
  }
  return objects
}

/**
 * An object's share of a document: its dimensions and its series, each value at most 24
 * characters. Both sinks merge objects into documents within `bytesPerObject` by this same
 * estimate, so they merge alike.
 */
export function objectBytes(object: EmfObject): number {
  let bytes = 200
  for (const name in object.dimensions) bytes += 2 * (name.length + (object.dimensions[name]?.length ?? 0)) + 12
  for (const series of object.metrics) bytes += seriesBound(series)
  return bytes
}

/** At most a series' share: its name and unit in full, its values at most 24 characters each. */
const seriesBound = (series: MetricSeries) =>
  2 * series.name.length + series.unit.length + 40 + 25 * series.values.length

/** The common case, checked without measuring each value: a few short series. */
function fitsWhole(group: MetricGroup, groupBytes: number, limits: EmfLimits): boolean {
  if (group.metrics.length > limits.metricsPerObject) return false
  // A number prints in at most 24 characters; names and units are counted in full.
  let bound = groupBytes
  for (const series of group.metrics) {
    if (series.values.length > limits.valuesPerMetric) return false
    bound += seriesBound(series)
  }
  return bound <= limits.bytesPerObject
}

/** A series cut into runs of at most `size` values. */
function pieces(series: MetricSeries, size: number): MetricSeries[] {
  if (series.values.length <= size) return [series]
  const runs: MetricSeries[] = []
  for (let start = 0; start < series.values.length; start += size) {
    runs.push({ ...series, values: series.values.slice(start, start + size) })
  }
  return runs
}

/** The series' share of the JSON: its definition in `_aws.CloudWatchMetrics` and its values at the top level. */
function seriesBytes(series: MetricSeries): number {
  let values = 0
  for (const value of series.values) values += String(value).length + 1
  return 2 * series.name.length + series.unit.length + 40 + values
}

function jsonLength(record: Readonly<Record<string, string>>): number {
  let length = 0
  for (const key in record) length += key.length + (record[key]?.length ?? 0) + 6
  return length
}
