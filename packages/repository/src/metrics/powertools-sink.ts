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
 *
 * Each dimension group gets a `Metrics` instance of its own, its dimensions set
 * once as defaults: `npm run bench:metrics` showed that re-adding dimensions
 * and a timestamp to one shared instance for every line cost a fifth of the
 * adapter's CPU. Groups are few and fixed (operations, cache tiers, routes);
 * past `MAX_INSTANCES` the rest share one instance.
 */
import { Metrics } from '@aws-lambda-powertools/metrics'
import { EMF_LIMITS, type EmfLimits, emfObjects } from './emf-limits.ts'
import type { MetricGroup, MetricsBatch, MetricsSink } from './sink.ts'

// Powertools publishes by itself once a metric holds 100 values, dropping the
// dimensions and metadata of the object being built: keep each metric below that.
const POWERTOOLS_LIMITS: EmfLimits = { ...EMF_LIMITS, valuesPerMetric: EMF_LIMITS.valuesPerMetric - 1 }
const MAX_INSTANCES = 256

/** Powertools keeps "disabled" to subclasses; the sink asks so it can skip all work then. */
class SinkMetrics extends Metrics {
  get publishes(): boolean {
    return !this.isDisabled()
  }
}

export interface PowertoolsSinkOptions {
  /** Overrides POWERTOOLS_METRICS_NAMESPACE. */
  namespace?: string
  /** Overrides POWERTOOLS_SERVICE_NAME (the `service` dimension). */
  serviceName?: string
}

export class PowertoolsMetricsSink implements MetricsSink {
  readonly #options: PowertoolsSinkOptions
  /** For groups without dimensions, and for any beyond MAX_INSTANCES (dimensions added per line). */
  readonly #shared: SinkMetrics
  readonly #byGroup = new Map<string, Metrics>()

  constructor(options: PowertoolsSinkOptions = {}) {
    this.#options = options
    this.#shared = this.#create()
  }

  /** POWERTOOLS_METRICS_DISABLED (or dev mode without it): nothing is published. */
  get disabled(): boolean {
    return !this.#shared.publishes
  }

  publish(batch: MetricsBatch): void {
    if (this.disabled) return
    for (const object of emfObjects(batch, POWERTOOLS_LIMITS)) {
      const metrics = this.#instanceFor(object.dimensions)
      for (const [key, value] of Object.entries(batch.metadata)) metrics.addMetadata(key, value)
      for (const series of object.metrics) {
        for (const value of series.values) metrics.addMetric(series.name, series.unit, value)
      }
      metrics.publishStoredMetrics()
    }
  }

  #instanceFor(dimensions: MetricGroup['dimensions']): Metrics {
    const names = Object.keys(dimensions)
    if (names.length === 0) return this.#shared
    const key = names.map((name) => `${name}\u0001${dimensions[name]}`).join('\u0002')
    let metrics = this.#byGroup.get(key)
    if (!metrics) {
      if (this.#byGroup.size >= MAX_INSTANCES) return this.#shared.addDimensions({ ...dimensions })
      metrics = this.#create({ ...dimensions })
      this.#byGroup.set(key, metrics)
    }
    return metrics
  }

  #create(defaultDimensions?: Record<string, string>): SinkMetrics {
    const { namespace, serviceName } = this.#options
    return new SinkMetrics({
      ...(namespace && { namespace }),
      ...(serviceName && { serviceName }),
      ...(defaultDimensions && { defaultDimensions }),
    })
  }
}
