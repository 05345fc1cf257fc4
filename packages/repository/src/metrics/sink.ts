/**
 * The metrics port: what the package hands to whatever publishes its metrics.
 * One batch per invocation, grouped by dimension values, so an adapter can
 * write each group as one CloudWatch EMF object (`powertools-sink.ts`) or as
 * data points of another backend.
 */

/** The CloudWatch units the package uses. */
export type MetricUnit = 'Milliseconds' | 'Count'

export interface MetricSeries {
  name: string
  unit: MetricUnit
  /** Counts arrive summed (one value); durations one value per measurement. */
  values: number[]
}

export interface MetricGroup {
  /**
   * Few, fixed dimensions (repository and operation, or cache tier and query
   * type); the adapter adds the service. Never a tenant: every distinct value
   * is a billed custom metric.
   */
  dimensions: Readonly<Record<string, string>>
  metrics: MetricSeries[]
}

export interface MetricsBatch {
  /** When the invocation flushed, ms since the epoch. */
  timestamp: number
  groups: MetricGroup[]
  /** High-cardinality context searchable in the logs, such as the organization: never a dimension. */
  metadata: Readonly<Record<string, string>>
}

export interface MetricsSink {
  /** Publishes one invocation's metrics; called once per flush, never with an empty batch. */
  publish(batch: MetricsBatch): void
}
