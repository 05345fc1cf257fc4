/**
 * The metrics port over Powertools `Metrics`: each group of a batch becomes
 * one or more CloudWatch EMF lines on stdout, with the service as a default
 * dimension and the batch's metadata on every line. The only file of the
 * package that imports Powertools (subpath `@serverless-dal/repository/powertools`).
 *
 * Configured by the Powertools environment variables: POWERTOOLS_METRICS_NAMESPACE,
 * POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_DISABLED. Under workerd the
 * `Metrics` constructor needs POWERTOOLS_DEV=true (so it uses the global
 * console rather than `new Console()`, which workerd lacks) together with
 * POWERTOOLS_METRICS_DISABLED=false (dev mode alone turns output off);
 * wrangler.toml sets both.
 */
import { Metrics } from '@aws-lambda-powertools/metrics'
import { EMF_LIMITS, type EmfLimits, emfObjects } from './emf-limits.ts'
import type { MetricsBatch, MetricsSink } from './sink.ts'

// Powertools publishes by itself once a metric holds 100 values, dropping the
// dimensions and metadata of the object being built: keep each metric below that.
const POWERTOOLS_LIMITS: EmfLimits = { ...EMF_LIMITS, valuesPerMetric: EMF_LIMITS.valuesPerMetric - 1 }

export interface PowertoolsSinkOptions {
  /** Overrides POWERTOOLS_METRICS_NAMESPACE. */
  namespace?: string
  /** Overrides POWERTOOLS_SERVICE_NAME (the `service` dimension). */
  serviceName?: string
  /** An instance configured otherwise; the two options above are then ignored. */
  metrics?: Metrics
}

export class PowertoolsMetricsSink implements MetricsSink {
  readonly metrics: Metrics

  constructor(options: PowertoolsSinkOptions = {}) {
    const { namespace, serviceName } = options
    this.metrics =
      options.metrics ?? new Metrics({ ...(namespace && { namespace }), ...(serviceName && { serviceName }) })
  }

  publish(batch: MetricsBatch): void {
    const metrics = this.metrics
    for (const object of emfObjects(batch, POWERTOOLS_LIMITS)) {
      metrics.setTimestamp(batch.timestamp)
      if (Object.keys(object.dimensions).length > 0) metrics.addDimensions({ ...object.dimensions })
      for (const [key, value] of Object.entries(batch.metadata)) metrics.addMetadata(key, value)
      for (const series of object.metrics) {
        for (const value of series.values) metrics.addMetric(series.name, series.unit, value)
      }
      metrics.publishStoredMetrics()
    }
  }
}
