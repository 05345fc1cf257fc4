/**
 * The rate limit across isolates: a fixed window counted on the shared
 * Redis by one Lua script of our own, one round trip per API request.
 *
 * Fixed rather than sliding window: a sliding window's weighted previous
 * window may still refuse after the end of the current one, so no single
 * instant is true for `Retry-After`, and the memory of refused organizations
 * (below) would admit too early or block for too long. A fixed window,
 * aligned on the clock (`floor(now / window)`, as the memory limiter's),
 * resets exactly when it says, and costs one small key per organization and
 * window. Its known cost: a burst across a window's edge can reach twice
 * the limit.
 *
 * One script, because the count and its expiry must be one atomic step: it
 * INCRs the window's key and, on the first increment, PEXPIREs it for one
 * window (the key outlives its window, never the other way round), and
 * answers the count. A script needs no MULTI, answers in one command, and
 * touches only `KEYS[1]`. It runs through the package's `RedisScripts`:
 * `EVAL` on an isolate's first check, `EVALSHA` after (`EVAL` once again on
 * NOSCRIPT), so every check is one round trip; a client without `evalsha`
 * gets `EVAL` every time, still one round trip; and on Upstash it locks only
 * its key (`allow-key-locking`), not the whole database. This replaces
 * @upstash/ratelimit, of which only this fixed window was used, at ~36 KiB
 * of the Worker bundle.
 *
 * Keys are `<CACHE_NAMESPACE>:ratelimit:{<org>}:<window>`: the deployment's
 * namespace, and the organization as the hash tag, in the same slot as its
 * cache keys (the same keys @upstash/ratelimit used, so counts carry over a
 * deploy). Each isolate remembers the organizations Redis refused until
 * their window ends (bounded, least recently seen forgotten first): their
 * further requests are refused with no Redis round trip at all.
 *
 * When Redis fails or does not answer within `timeoutMs`, the request goes
 * through (`failed-open`, counted by the middleware), never a 500; a warning
 * is logged at most once a minute; after three failures in a row Redis is
 * not asked for five seconds, so an outage costs no timeout per request.
 */
import { BoundedLru, jsonConsoleLogger, type Logger, RedisScripts } from '@serverless-dal/repository'
import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from './policy.ts'

/**
 * What the limiter needs of `@upstash/redis`'s `Redis`: its script calls.
 * `evalsha` is optional so the service's `RedisLike` (and test wrappers
 * that count or break calls) fit too; without it every check is an `EVAL`.
 */
export interface ScriptRedis {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>
  evalsha?(sha1: string, keys: string[], args: string[]): Promise<unknown>
}

export interface RedisRateLimiterOptions {
  /** The deployment's prefix in a shared Redis (CACHE_NAMESPACE). @default 'dal' */
  namespace?: string
  /** How long a check may wait for Redis before the request goes through. @default 150 */
  timeoutMs?: number
  /** Organizations remembered as refused per isolate. @default 10_000 */
  maxBlocked?: number
  /** @default jsonConsoleLogger */
  logger?: Logger
  /** @default Date.now */
  now?: () => number
}

/** KEYS[1]: the window's key; ARGV[1]: the window in ms. Answers the window's count, this request included. */
export const FIXED_WINDOW_SCRIPT = [
  "local count = redis.call('INCR', KEYS[1])",
  "if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end",
  'return count',
].join('\n')

const FAILURES_BEFORE_PAUSE = 3
const PAUSE_MS = 5_000
const WARN_EVERY_MS = 60_000

class Timeout extends Error {}

export class RedisRateLimiter implements RateLimiter {
  readonly #limit: number
  readonly #windowMs: number
  readonly #prefix: string
  readonly #timeoutMs: number
  readonly #logger: Logger
  readonly #now: () => number
  /** Organizations Redis refused, and when their window ends. */
  readonly #blocked: BoundedLru<string, number>
  /** The script, whole once and then by digest, key-locked on Upstash (the package's `RedisScripts`). */
  readonly #scripts: RedisScripts
  #failuresInARow = 0
  #pausedUntil = 0
  #lastWarning = Number.NEGATIVE_INFINITY
  #failedSinceWarning = 0

  constructor(policy: RateLimitPolicy, redis: ScriptRedis, options: RedisRateLimiterOptions = {}) {
    this.#scripts = new RedisScripts(redis)
    this.#limit = policy.requests
    this.#windowMs = policy.windowS * 1000
    this.#prefix = `${options.namespace ?? 'dal'}:ratelimit`
    this.#timeoutMs = options.timeoutMs ?? 150
    this.#logger = options.logger ?? jsonConsoleLogger
    this.#now = options.now ?? (() => Date.now())
    this.#blocked = new BoundedLru({ maxEntries: options.maxBlocked ?? 10_000 })
  }

  async limit(orgId: string): Promise<RateLimitDecision> {
    const now = this.#now()
    const blockedUntil = this.#blocked.get(orgId)
    if (blockedUntil !== undefined) {
      if (now < blockedUntil) return { outcome: 'limited', limit: this.#limit, remaining: 0, resetAt: blockedUntil }
      this.#blocked.delete(orgId)
    }
    if (now < this.#pausedUntil) return this.#failedOpen('paused after Redis failures', false)

    const window = Math.floor(now / this.#windowMs)
    const resetAt = (window + 1) * this.#windowMs
    try {
      const count = await this.#withinTimeout(this.#count(`${this.#prefix}:{${orgId}}:${window}`))
      this.#failuresInARow = 0
      const allowed = count <= this.#limit
      if (!allowed) this.#blocked.set(orgId, resetAt, Number.POSITIVE_INFINITY)
      return {
        outcome: allowed ? 'allowed' : 'limited',
        limit: this.#limit,
        remaining: Math.max(0, this.#limit - count),
        resetAt,
      }
    } catch (error) {
      const reason = error instanceof Timeout ? 'Redis did not answer in time' : errorMessage(error)
      return this.#failedOpen(reason, true)
    }
  }

  /** Runs the script on the window's key: EVALSHA, or EVAL when Redis does not have it (or not yet from us). */
  async #count(key: string): Promise<number> {
    const answer = await this.#scripts.run(FIXED_WINDOW_SCRIPT, [key], [String(this.#windowMs)])
    const count = Number(answer)
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`unexpected answer from the rate limit script: ${answer}`)
    return count
  }

  #withinTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout()), this.#timeoutMs)
    })
    work.catch(() => {}) // an answer after the timeout is dropped, a failure too
    return Promise.race([work, late]).finally(() => clearTimeout(timer))
  }

  #failedOpen(reason: string, failure: boolean): RateLimitDecision {
    const now = this.#now()
    if (failure && ++this.#failuresInARow >= FAILURES_BEFORE_PAUSE) {
      this.#failuresInARow = 0
      this.#pausedUntil = now + PAUSE_MS
    }
    this.#failedSinceWarning += 1
    if (now - this.#lastWarning >= WARN_EVERY_MS) {
      this.#logger.warn('rate limit not checked: requests go through', {
        reason,
        failedOpen: this.#failedSinceWarning,
      })
      this.#lastWarning = now
      this.#failedSinceWarning = 0
    }
    return { outcome: 'failed-open', reason }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
