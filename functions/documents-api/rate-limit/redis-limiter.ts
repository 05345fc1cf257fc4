/**
 * The rate limit across isolates: @upstash/ratelimit's fixed window on the
 * shared Redis, one script call (one round trip) per API request.
 *
 * Fixed rather than sliding window: the library's sliding window reports the
 * end of the current window as its reset, while the weighted previous window
 * may still refuse after it — `Retry-After` would be wrong, and the
 * ephemeral cache (below) would admit too early or block for a window too
 * long. A fixed window resets exactly when it says, the memory limiter has
 * the same semantics, and it costs one key per organization and window. Its
 * known cost: a burst across a window's edge can reach twice the limit.
 *
 * Keys are `<CACHE_NAMESPACE>:ratelimit:{<org>}:<window>`: the deployment's
 * namespace, and the organization as the hash tag, in the same slot as its
 * cache keys. The ephemeral cache remembers, per isolate, the organizations
 * refused until their window ends: their further requests are refused with
 * no Redis round trip at all.
 *
 * When Redis fails or does not answer within `timeoutMs`, the request goes
 * through (`failed-open`, counted by the middleware), never a 500; a warning
 * is logged at most once a minute; after three failures in a row Redis is
 * not asked for five seconds, so an outage costs no timeout per request.
 */
import { jsonConsoleLogger, type Logger } from '@serverless-dal/repository'
import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis'
import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from './policy.ts'
import { type ScriptClient, scriptCalls } from './script-flags.ts'

export interface RedisRateLimiterOptions {
  /** The deployment's prefix in a shared Redis (CACHE_NAMESPACE). @default 'dal' */
  namespace?: string
  /** How long a check may wait for Redis before the request goes through. @default 150 */
  timeoutMs?: number
  /** Organizations remembered as refused per isolate. @default 10_000 */
  maxBlocked?: number
  /** @default jsonConsoleLogger */
  logger?: Logger
}

const FAILURES_BEFORE_PAUSE = 3
const PAUSE_MS = 5_000
const WARN_EVERY_MS = 60_000

export class RedisRateLimiter implements RateLimiter {
  readonly #ratelimit: Ratelimit
  readonly #logger: Logger
  #failuresInARow = 0
  #pausedUntil = 0
  #lastWarning = Number.NEGATIVE_INFINITY
  #failedSinceWarning = 0

  constructor(policy: RateLimitPolicy, redis: ScriptClient, options: RedisRateLimiterOptions = {}) {
    this.#logger = options.logger ?? jsonConsoleLogger
    this.#ratelimit = new Ratelimit({
      // a fixed window only calls evalsha and eval (script-flags.ts)
      redis: scriptCalls(redis) as unknown as Redis,
      limiter: Ratelimit.fixedWindow(policy.requests, `${policy.windowS} s`),
      prefix: `${options.namespace ?? 'dal'}:ratelimit`,
      ephemeralCache: new BoundedMap(options.maxBlocked ?? 10_000),
      timeout: options.timeoutMs ?? 150,
      analytics: false,
      enableTelemetry: false,
    })
  }

  async limit(orgId: string): Promise<RateLimitDecision> {
    if (Date.now() < this.#pausedUntil) return this.#failedOpen('paused after Redis failures', false)
    try {
      const answer = await this.#ratelimit.limit(`{${orgId}}`)
      // the library answers a timeout as a success with no figures
      if (answer.reason === 'timeout') return this.#failedOpen('Redis did not answer in time', true)
      this.#failuresInARow = 0
      return {
        outcome: answer.success ? 'allowed' : 'limited',
        limit: answer.limit,
        remaining: answer.remaining,
        resetAt: answer.reset,
      }
    } catch (error) {
      return this.#failedOpen((error as Error)?.message ?? String(error), true)
    }
  }

  #failedOpen(reason: string, failure: boolean): RateLimitDecision {
    if (failure && ++this.#failuresInARow >= FAILURES_BEFORE_PAUSE) {
      this.#failuresInARow = 0
      this.#pausedUntil = Date.now() + PAUSE_MS
    }
    this.#failedSinceWarning += 1
    if (Date.now() - this.#lastWarning >= WARN_EVERY_MS) {
      this.#logger.warn('rate limit not checked: requests go through', {
        reason,
        failedOpen: this.#failedSinceWarning,
      })
      this.#lastWarning = Date.now()
      this.#failedSinceWarning = 0
    }
    return { outcome: 'failed-open', reason }
  }
}

/**
 * The ephemeral cache's map, bounded: the library keeps one entry per
 * refused organization and drops it only when it is asked about it after
 * its window. Beyond `max`, the entry set first goes (an organization
 * forgotten here costs one Redis round trip, nothing else).
 */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly max: number) {
    super()
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) {
      const oldest = this.keys().next()
      if (!oldest.done) this.delete(oldest.value)
    }
    return super.set(key, value)
  }
}
