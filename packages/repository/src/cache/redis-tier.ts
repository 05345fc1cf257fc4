/**
 * The Redis tier, failing soft: every call has a timeout and passes a circuit
 * breaker; a call that fails, times out or is refused answers `undefined`
 * ("unavailable") and never throws. Errors are counted and logged once per
 * breaker opening, not once per call.
 */
import type { Logger } from '../logger.ts'
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts'
import { LEASE_LOOKUP, LEASE_STATES, type LeaseRequest, type LeaseState, MARK_UNSTORABLE } from './lease-lookup.ts'
import type { RedisLike } from './redis-like.ts'
import { RedisScripts } from './redis-scripts.ts'

/**
 * Bumps the organization's write mark (KEYS[1]) and its tags' generation
 * counters, and answers the new mark. A missing counter starts from a value
 * derived from the clock, so a counter that expired and comes back never
 * repeats a value an old entry (or token) was stamped with.
 */
const BUMP = `for _, key in ipairs(KEYS) do
  if redis.call('exists', key) == 0 then redis.call('set', key, ARGV[1]) end
  redis.call('incr', key)
  redis.call('pexpire', key, ARGV[2])
end
return redis.call('get', KEYS[1])`

/** Stores an entry and releases the loader's lock if it still holds it: one round trip. */
const STORE_AND_UNLOCK = `redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('get', KEYS[2]) == ARGV[3] then redis.call('del', KEYS[2]) end
return 1`

const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`

/** An entry's text (null when absent) and the current generations of its tags: one MGET's answer. */
export interface EntryLookup {
  text: string | null
  generations: string[]
  /** The organization's write mark when looked up (when its key was asked for and exists). */
  mark?: number
}

/** A lookup that asked for the key's lease: whether this caller now holds it, or another does. */
export interface LeasedLookup extends EntryLookup {
  lease: LeaseState
  /** When another holds the lease: how long it has left, ms. */
  heldForMs?: number
}

/** A lock this caller took; its token lets only the holder release it. */
export interface HeldLock {
  key: string
  token: string
}

export interface RedisTierOptions {
  timeoutMs: number
  breaker?: Partial<CircuitBreakerOptions>
  logger: Logger
  onError: () => void
}

export class RedisTier {
  readonly #redis: RedisLike
  readonly #options: RedisTierOptions
  readonly #breaker: CircuitBreaker
  readonly #scripts: RedisScripts

  constructor(redis: RedisLike, options: RedisTierOptions) {
    this.#redis = redis
    this.#options = options
    this.#breaker = new CircuitBreaker(options.breaker)
    this.#scripts = new RedisScripts(redis)
  }

  get breakerOpenings(): number {
    return this.#breaker.openings
  }

  /** The entry's text, the generations of its tags and (with `markKey`) the write mark, in one MGET. */
  async lookup(key: string, generationKeys: string[], markKey?: string): Promise<EntryLookup | undefined> {
    const keys = markKey ? [key, ...generationKeys, markKey] : [key, ...generationKeys]
    const values = await this.#call('mget', () => this.#redis.mget(...keys))
    return values ? lookupOf(values, markKey !== undefined) : undefined
  }

  /**
   * The same lookup, and the key's lease when the entry cannot answer (`lease-lookup.ts`):
   * one request, as the plain lookup.
   */
  async lookupLeased(
    key: string,
    generationKeys: string[],
    markKey: string | undefined,
    lease: LeaseRequest,
  ): Promise<LeasedLookup | undefined> {
    const keys = markKey ? [key, ...generationKeys, markKey, lease.key] : [key, ...generationKeys, lease.key]
    const args = [
      String(generationKeys.length),
      String(Date.now()),
      lease.token,
      String(lease.ttlMs),
      lease.force ? '1' : '0',
    ]
    const values = await this.#call('lookup', () => this.#scripts.run(LEASE_LOOKUP, keys, args))
    if (!Array.isArray(values)) return undefined
    const left = Number(values.pop())
    const state = LEASE_STATES[Number(values.pop())] ?? 'held'
    return {
      ...lookupOf(values, markKey !== undefined),
      lease: state,
      ...(state === 'held' && left > 0 && { heldForMs: left }),
    }
  }

  async store(key: string, text: string, ttlMs: number, lock?: HeldLock): Promise<boolean> {
    const done = lock
      ? await this.#call('store', () =>
          this.#scripts.run(STORE_AND_UNLOCK, [key, lock.key], [text, String(ttlMs), lock.token]),
        )
      : await this.#call('store', () => this.#redis.set(key, text, { px: ttlMs }))
    return done !== undefined
  }

  /** Bumps the mark and every counter in one request: the new mark; undefined when Redis could not be reached. */
  async bump(markKey: string, generationKeys: string[], counterTtlMs: number): Promise<number | undefined> {
    const start = String(Date.now() * 1000)
    const keys = [markKey, ...generationKeys]
    const mark = await this.#call('bump', () => this.#scripts.run(BUMP, keys, [start, String(counterTtlMs)]))
    return mark === undefined ? undefined : Number(mark)
  }

  /** True if this caller now holds the lock, false if someone else does, undefined if Redis is unavailable. */
  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean | undefined> {
    const answer = await this.#call('lock', () => this.#redis.set(key, token, { nx: true, px: ttlMs }))
    return answer === undefined ? undefined : answer === 'OK'
  }

  /** Turns the caller's lease into the mark that its entry cannot be stored (`lease-lookup.ts`). */
  async markUnstorable(lease: HeldLock): Promise<void> {
    await this.#call('unstorable', () => this.#scripts.run(MARK_UNSTORABLE, [lease.key], [lease.token]))
  }

  async releaseLock(key: string, token: string): Promise<void> {
    await this.#call('unlock', () => this.#scripts.run(UNLOCK, [key], [token]))
  }

  /** Runs a Lua script through the same timeout and breaker; undefined when Redis is unavailable. */
  async script(name: string, source: string, keys: string[], args: string[]): Promise<unknown> {
    return this.#call(name, () => this.#scripts.run(source, keys, args))
  }

  async #call<T>(operation: string, work: () => Promise<T>): Promise<T | undefined> {
    if (!this.#breaker.allows()) return undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis ${operation} took over ${this.#options.timeoutMs} ms`)),
          this.#options.timeoutMs,
        )
      })
      const result = await Promise.race([work(), timeout])
      this.#breaker.succeeded()
      return result ?? (null as T)
    } catch (error) {
      this.#options.onError()
      if (this.#breaker.failed()) {
        this.#options.logger.warn('Redis unavailable: the cache falls back to memory and the database', {
          operation,
          reason: (error as Error)?.message,
        })
      }
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }
}

/** An MGET's values as a lookup: the entry, its counters and (when asked for) the mark. */
function lookupOf(values: unknown[], withMark: boolean): EntryLookup {
  const [text, ...counters] = values
  const mark = withMark ? Number(counters.pop() ?? Number.NaN) : Number.NaN
  return {
    text: typeof text === 'string' ? text : null,
    // counters may come back as numbers (clients that parse JSON) or strings; absent is '0'
    generations: counters.map((value) => (value === null || value === undefined ? '0' : String(value))),
    ...(Number.isSafeInteger(mark) && { mark }),
  }
}
