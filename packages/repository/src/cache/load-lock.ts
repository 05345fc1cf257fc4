/**
 * The short Redis lock around a miss, so concurrent misses in many isolates
 * make one query: the reader that takes the lock loads; the others wait for
 * the value it stores, up to the lock's TTL, then load anyway. Only built
 * when the lock is on and Redis is configured.
 */
import type { CacheContext } from './cache-context.ts'
import type { LockOptions } from './config.ts'
import { lockKey } from './keys.ts'
import { stamped } from './memory-tier.ts'
import type { CachedRead, ReadResult } from './port.ts'
import type { EntryLookup, HeldLock, RedisTier } from './redis-tier.ts'
import { queryName } from './stats.ts'
import { answerOf, decodeEntry, sameGenerations } from './stored-entry.ts'

/** The read goes on to load: holding the lock if it got it, with a newer lookup if it made one. */
export interface LoadAhead {
  lock?: HeldLock
  found?: EntryLookup
}

export class LoadLock {
  readonly #context: CacheContext
  readonly #redis: RedisTier
  readonly #options: LockOptions

  constructor(context: CacheContext, redis: RedisTier, options: LockOptions) {
    this.#context = context
    this.#redis = redis
    this.#options = options
  }

  /**
   * Take the lock and load, or — if another isolate holds it — wait for the
   * value it stores, up to the lock's TTL, then load anyway.
   */
  async takeOrWait<T>(
    spec: CachedRead<T>,
    key: string,
    local: number[],
    generationKeys: string[],
  ): Promise<ReadResult<T> | LoadAhead> {
    const redis = this.#redis
    const lock = { key: lockKey(key), token: crypto.randomUUID() }
    const acquired = await redis.acquireLock(lock.key, lock.token, this.#options.ttlMs)
    if (acquired === undefined) return {}
    if (acquired) {
      // The lookup and the lock are two requests: the holder before us may have stored and
      // unlocked in between. Look once more before loading what is already there.
      const found = await redis.lookup(key, generationKeys, this.#context.markKeyOf(spec.orgId))
      const hit = found && this.#validHit(spec, key, local, found)
      if (hit) this.#context.inBackground(redis.releaseLock(lock.key, lock.token), spec.waitUntil)
      return hit || { lock, ...(found && { found }) }
    }
    const deadline = Date.now() + this.#options.ttlMs
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollMs))
      const found = await redis.lookup(key, generationKeys, this.#context.markKeyOf(spec.orgId))
      if (!found) return {}
      const hit = this.#validHit(spec, key, local, found)
      if (hit) return hit
      if (found.text) return { found } // an entry, but obsolete: load, stamped with today's generations
    }
    return {}
  }

  /** A found entry still current (its generations unchanged), remembered in memory; undefined otherwise. */
  #validHit<T>(spec: CachedRead<T>, key: string, local: number[], found: EntryLookup): ReadResult<T> | undefined {
    const entry = found.text ? decodeEntry(found.text) : undefined
    if (!found.text || !entry || !sameGenerations(entry.g, found.generations)) return undefined
    this.#context.stats.count('redis', queryName(spec), 'hits')
    this.#context.tiers.memory?.set(key, stamped(found.text, local, found.mark), entry.l, spec.queryType)
    return answerOf<T>(entry, 'redis-hit')
  }
}
