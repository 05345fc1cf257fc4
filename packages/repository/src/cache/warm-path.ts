/**
 * The warm job's read: loads from the database and stores in every tier,
 * whatever they hold, so the entry starts a fresh TTL before it expires.
 * Unlike a read it never answers from a tier, and it needs Redis: the warm
 * lock there makes concurrent warm runs refresh a key once, and the key's
 * lease (`lease-lookup.ts`, taken whatever the entry) makes a warm run and
 * live traffic load it once: a key live traffic is loading is skipped, and
 * live misses wait for the warm run's entry.
 */
import type { CacheContext } from './cache-context.ts'
import type { Invalidations } from './invalidations.ts'
import { lockKey, warmLockKey } from './keys.ts'
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
    const markKey = this.#context.markKeyOf(spec.orgId)
    const request = this.#context.lock && {
      key: lockKey(key),
      token: crypto.randomUUID(),
      ttlMs: this.#context.lock.ttlMs,
      force: true,
    }
    const found = request
      ? await redis.lookupLeased(key, generationKeys, markKey, request)
      : await redis.lookup(key, generationKeys, markKey)
    if (!found) return { outcome: 'unavailable' }
    if (request && 'lease' in found && found.lease !== 'taken') {
      await redis.releaseLock(lock.key, lock.token) // live traffic is loading it: its store is as fresh
      return { outcome: 'skipped' }
    }
    const lease = request ? { key: request.key, token: request.token } : undefined
    let value: T
    try {
      value = await spec.load()
    } catch (error) {
      await redis.releaseLock(lock.key, lock.token) // the next run may try again
      if (lease) await redis.releaseLock(lease.key, lease.token)
      throw error
    }
    const ttlMs = this.#context.ttlOf(spec)
    const text = encodeEntry(value, found.generations, ttlMs)
    memory?.set(key, stamped(text, local, found.mark), ttlMs, spec.queryType)
    if (!this.#context.fitsRedis(text)) {
      await redis.releaseLock(lock.key, lock.token)
      if (lease) await redis.releaseLock(lease.key, lease.token)
      return { outcome: 'skipped' }
    }
    const stored = await redis.store(key, text, ttlMs + this.#context.graceMs, lease)
    return stored ? { value, outcome: 'warmed' } : { outcome: 'unavailable' }
  }
}
