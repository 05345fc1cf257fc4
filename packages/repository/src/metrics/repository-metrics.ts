/**
 * The isolate's metrics: one per isolate, shared by its factory and entries.
 * Hands out an `InvocationMetrics` per invocation and publishes each to the
 * sink when the entry flushes it, adding what belongs to the isolate rather
 * than to one request: the cold start (once) and the cache's counters.
 *
 * ```ts
 * const metrics = new RepositoryMetrics({ sink: new PowertoolsMetricsSink() })
 * const factory = new RepositoryFactory({ database, drivers, repositories, metrics })
 * // per invocation:
 * const invocation = metrics.startInvocation({ requestId })
 * try { … factory.forTenant(scope, { metrics: invocation }) … } finally { invocation.flush() }
 * ```
 */
import type { CacheManager } from '../cache/cache-manager.ts'
import type { CacheStatsSnapshot } from '../cache/stats.ts'
import { jsonConsoleLogger, type Logger } from '../logger.ts'
import { recordCacheDeltas } from './cache-deltas.ts'
import { InvocationMetrics, type InvocationOwner } from './invocation-metrics.ts'
import type { MetricsSink } from './sink.ts'

export interface MetricsOptions {
  /** Where batches go. Without one nothing is recorded; slow queries are still logged. */
  sink?: MetricsSink
  /** A statement slower than this counts `SlowQuery` and logs a warning. @default 1000 */
  slowQueryMs?: number
  /** Thresholds for particular operations, keyed `repository.operation`: `{ 'documents.findRelatedDocuments': 3000 }`. */
  slowQueryMsByOperation?: Readonly<Record<string, number>>
  /** Reports publishing failures. @default JSON lines on the console */
  logger?: Logger
  /** A monotonic clock in ms. @default performance.now */
  now?: () => number
}

export const DEFAULT_SLOW_QUERY_MS = 1_000

export class RepositoryMetrics implements InvocationOwner {
  readonly #sink: MetricsSink | undefined
  readonly #slowQueryMs: number
  readonly #slowQueryMsByOperation: Readonly<Record<string, number>>
  readonly #logger: Logger
  readonly #now: () => number
  readonly #caches = new Map<CacheManager, CacheStatsSnapshot | undefined>()
  #coldStart = true
  readonly carryOver: InvocationMetrics

  constructor(options: MetricsOptions = {}) {
    this.#sink = options.sink
    this.#slowQueryMs = options.slowQueryMs ?? DEFAULT_SLOW_QUERY_MS
    this.#slowQueryMsByOperation = options.slowQueryMsByOperation ?? {}
    this.#logger = options.logger ?? jsonConsoleLogger
    this.#now = options.now ?? (() => performance.now())
    this.carryOver = new InvocationMetrics(this)
  }

  get enabled(): boolean {
    return this.#sink !== undefined
  }

  now(): number {
    return this.#now()
  }

  slowQueryThresholdMs(repository: string, operation: string): number {
    return this.#slowQueryMsByOperation[`${repository}.${operation}`] ?? this.#slowQueryMs
  }

  /** A fresh invocation; `metadata` (a request id, say) goes with its batch. */
  startInvocation(metadata?: Readonly<Record<string, string>>): InvocationMetrics {
    return new InvocationMetrics(this, metadata)
  }

  /** Reports this cache's counters with every flush, as deltas since the last. */
  observeCache(cache: CacheManager): void {
    if (!this.#caches.has(cache)) this.#caches.set(cache, undefined)
  }

  /** Called by `InvocationMetrics.flush`; never throws into the invocation. */
  publish(invocation: InvocationMetrics): void {
    if (!this.#sink) return
    try {
      if (this.#coldStart) {
        this.#coldStart = false
        invocation.count('ColdStart')
      }
      for (const [cache, previous] of this.#caches) {
        const current = cache.stats()
        recordCacheDeltas(invocation, previous, current)
        this.#caches.set(cache, current)
      }
      invocation.absorb(this.carryOver.groups())
      this.carryOver.clear()
      if (invocation.isEmpty) return
      this.#sink.publish(invocation.toBatch(Date.now()))
    } catch (error) {
      // Metrics are worth losing before a request is: report and go on.
      this.#logger.error('publishing metrics failed', {
        error: (error as Error)?.name,
        reason: (error as Error)?.message,
      })
    }
  }
}
