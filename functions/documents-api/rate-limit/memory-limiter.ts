/**
 * The rate limit without Redis (the embedded default, or any deployment
 * without UPSTASH_*): a fixed window counted in the isolate's memory, with
 * the same windows as the Redis limiter. Each isolate counts alone, so with
 * n isolates an organization gets up to n × the limit; one process (`npm
 * start`) is exact. An isolate's count of an organization never exceeds its
 * count across isolates, so this never refuses what Redis would admit.
 *
 * Bounded like every per-isolate map: the organizations least recently seen
 * are forgotten first. Organizations come from signed tokens, so one tenant
 * cannot push its own count out by inventing others.
 */
import { BoundedLru } from '@serverless-dal/repository'
import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from './policy.ts'

export interface MemoryRateLimiterOptions {
  /** Organizations counted at once per isolate. @default 10_000 */
  maxOrganizations?: number
  /** @default Date.now */
  now?: () => number
}

interface Window {
  /** `floor(now / window)`: which window the count belongs to. */
  index: number
  count: number
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #windowMs: number
  readonly #windows: BoundedLru<string, Window>
  readonly #now: () => number

  constructor(
    readonly policy: RateLimitPolicy,
    options: MemoryRateLimiterOptions = {},
  ) {
    this.#windowMs = policy.windowS * 1000
    this.#windows = new BoundedLru({ maxEntries: options.maxOrganizations ?? 10_000 })
    this.#now = options.now ?? Date.now
  }

  limit(orgId: string): Promise<RateLimitDecision> {
    const index = Math.floor(this.#now() / this.#windowMs)
    let window = this.#windows.get(orgId)
    if (!window || window.index !== index) {
      window = { index, count: 0 }
      this.#windows.set(orgId, window, Number.POSITIVE_INFINITY)
    }
    // refused requests count too, as Redis counts them (its script increments on every check)
    window.count += 1
    const limit = this.policy.requests
    return Promise.resolve({
      outcome: window.count <= limit ? 'allowed' : 'limited',
      limit,
      remaining: Math.max(0, limit - window.count),
      resetAt: (index + 1) * this.#windowMs,
    })
  }

  /** Organizations counted now (for the bound's test). */
  get size(): number {
    return this.#windows.size
  }
}
