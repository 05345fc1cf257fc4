/**
 * The warm job's read: loads from the database and stores in every tier,
 * whatever they hold, so the entry starts a fresh TTL before it expires.
 * Unlike a read it never answers from a tier, and it needs Redis: the warm
 * lock there makes concurrent warm runs refresh a key once.
 */
import type { CacheContext } from './cache-context.ts'
import type { Invalidations } from './invalidations.ts'
import { warmLockKey } from './keys.ts'
import { stamped } from './memory-tier.ts'
import type { CachedRead, WarmResult } from './port.ts'
import { encodeEntry } from './stored-entry.ts'

export class WarmPath {
  readonly #context: CacheContext
  readonly #invalidations: Invalidations

  constructor(context: CacheContext, invalidations: Invalidations) {
    this.#context = context
    this.#invalidations = invalidations
  }

  /**
   * Stamped with the generations read before loading, like a miss. A warm
   * lock (held `lockTtlMs`) makes concurrent warm runs refresh a key once:
   * `skipped` for the run that did not get it. `unavailable` when Redis
   * cannot be reached: then nothing is written. A failing load throws.
   */
  async warm<T>(spec: CachedRead<T>, lockTtlMs: number): Promise<WarmResult<T>> {
    const { memory, redis } = this.#context.tiers
    if (!redis) return { outcome: 'unavailable' }
    const key = this.#context.keyOf(spec)
    const lock = { key: warmLockKey(key), token: crypto.randomUUID() }
    const got = await redis.acquireLock(lock.key, lock.token, lockTtlMs)
    if (got === undefined) return { outcome: 'unavailable' }
    if (!got) return { outcome: 'skipped' }
    const generationKeys = this.#context.generationKeysOf(spec.orgId, spec.tags)
    // this isolate's generations too are read before loading, so a write during the load wins here as well
    const local = this.#invalidations.localGenerations(spec.orgId, spec.tags)
    const found = await redis.lookup(key, generationKeys, this.#context.markKeyOf(spec.orgId))
    if (!found) return { outcome: 'unavailable' }
    let value: T
    try {
      value = await spec.load()
    } catch (error) {
      await redis.releaseLock(lock.key, lock.token) // the next run may try again
      throw error
    }
    const ttlMs = this.#context.ttlOf(spec)
    const text = encodeEntry(value, found.generations, ttlMs)
    memory?.set(key, stamped(text, local, found.mark), ttlMs, spec.queryType)
    if (!this.#context.fitsRedis(text)) {
      await redis.releaseLock(lock.key, lock.token)
      return { outcome: 'skipped' }
    }
    const stored = await redis.store(key, text, ttlMs + this.#context.graceMs)
    return stored ? { value, outcome: 'warmed' } : { outcome: 'unavailable' }
  }
}
