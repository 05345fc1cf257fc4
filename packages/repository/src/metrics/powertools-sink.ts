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
 *
 * One line per invocation where the EMF specification allows it: Powertools
 * serializes each group as one metric directive (its namespace, its one
 * dimension set, its metrics) with the members it refers to, and directives
 * whose members do not clash — no metric name twice, every dimension they share
 * with one value — go into one document, printed through Powertools' own
 * console. `_aws.CloudWatchMetrics` is an array of directives, each extracted
 * on its own, so every metric keeps its name, unit and dimensions in
 * CloudWatch; a request's line (service) and its operation's (service,
 * repository, operation) become one line, which halves what printing and
 * Powertools' per-line bookkeeping cost (`npm run bench:metrics`). What does
 * clash (two operations' `OperationCount`) goes on lines of its own.
 */
import { Metrics } from '@aws-lambda-powertools/metrics'
import { EMF_LIMITS, type EmfLimits, emfObjects, objectBytes } from './emf-limits.ts'
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

  /**
   * Writes one line where Powertools writes its own: its console (a `Console` on stdout, or the global one
   * in dev mode and under workerd). Undefined if a Powertools release renames it: then each group is
   * published by Powertools alone, one line each.
   */
  get printer(): ((line: string) => void) | undefined {
    const console: { log?: unknown } | undefined = Reflect.get(this, 'console')
    const log = console?.log
    return typeof log === 'function' ? (line) => log.call(console, line) : undefined
  }
}

/** One EMF document as Powertools serializes it: the `_aws` envelope and the members its directives refer to. */
type EmfDocument = ReturnType<Metrics['serializeMetrics']>

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
  /** Powertools' console, where the merged lines go. */
  readonly #print: ((line: string) => void) | undefined

  constructor(options: PowertoolsSinkOptions = {}) {
    this.#options = options
    this.#shared = this.#create()
    this.#print = this.#shared.printer
  }

  /** POWERTOOLS_METRICS_DISABLED (or dev mode without it): nothing is published. */
  get disabled(): boolean {
    return !this.#shared.publishes
  }

  publish(batch: MetricsBatch): void {
    if (this.disabled) return
    const print = this.#print
    if (!print) {
      this.#publishEach(batch)
      return
    }
    const documents: EmfDocument[] = []
    const budget: { metrics: number; bytes: number }[] = []
    for (const object of emfObjects(batch, POWERTOOLS_LIMITS)) {
      const metrics = this.#instanceFor(object.dimensions)
      for (const series of object.metrics) {
        for (const value of series.values) metrics.addMetric(series.name, series.unit, value)
      }
      let emf: EmfDocument
      try {
        emf = metrics.serializeMetrics()
      } finally {
        metrics.clearMetrics()
        if (metrics === this.#shared) metrics.clearDimensions()
      }
      const size = { metrics: object.metrics.length, bytes: objectBytes(object) }
      const into = documents.findIndex(
        (document, i) => fitsWith(budget[i] as { metrics: number; bytes: number }, size) && membersAgree(document, emf),
      )
      if (into < 0) {
        documents.push(emf)
        budget.push(size)
        continue
      }
      const document = documents[into] as EmfDocument
      const { _aws, ...members } = emf
      document._aws.CloudWatchMetrics.push(..._aws.CloudWatchMetrics)
      Object.assign(document, members)
      const used = budget[into] as { metrics: number; bytes: number }
      used.metrics += size.metrics
      used.bytes += size.bytes
    }
    // the batch's metadata on every line, before the dimensions and values (Powertools' order: a dimension wins)
    for (const { _aws, ...members } of documents) print(JSON.stringify({ _aws, ...batch.metadata, ...members }))
  }

  /** One line per group, each published by Powertools itself. */
  #publishEach(batch: MetricsBatch): void {
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

/**
 * Whether two documents' directives can share one: every member of one that the other has too (a
 * dimension such as `service`) has the same value there, so no metric name appears in both and no
 * dimension has two values.
 */
function membersAgree(document: EmfDocument, next: EmfDocument): boolean {
  for (const key in next) {
    if (key === '_aws') continue
    const theirs = (document as Record<string, unknown>)[key]
    if (theirs === undefined) continue
    const ours = (next as Record<string, unknown>)[key]
    if (typeof theirs !== 'string' || theirs !== ours) return false
  }
  return true
}

/** A merged document stays within one object's limits: metrics, and the estimated size of a log event. */
function fitsWith(used: { metrics: number; bytes: number }, next: { metrics: number; bytes: number }): boolean {
  return (
    used.metrics + next.metrics <= POWERTOOLS_LIMITS.metricsPerObject &&
    used.bytes + next.bytes <= POWERTOOLS_LIMITS.bytesPerObject
  )
}
