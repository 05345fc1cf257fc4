/**
 * The read algorithm, nearest tier first. Memory answers when its entry
 * carries this isolate's current generations. Otherwise one read-through per
 * key in this isolate: Redis (entry and generations in one request), then the
 * database. An entry past its TTL but within its grace is served while one
 * refresh runs (stale-while-revalidate), and served marked stale when the
 * database fails.
 *
 * Across isolates, leases (on unless `lock: false`): the lookup that finds no
 * entry able to answer takes the key's lease in the same request
 * (`lease-lookup.ts`); its holder loads and its store releases the lease,
 * while the others wait for that entry (`lease-wait.ts`) or, within grace,
 * serve the stale one and leave the refresh to the holder. N isolates missing
 * one key make one query, at no extra round trip.
 *
 * A miss stamps the new entry with the generations it read *before* querying
 * the database, so a write that commits meanwhile makes it dead on arrival.
 */
import type { CacheContext } from './cache-context.ts'
import { checkHit } from './consistency-check.ts'
import type { Invalidations } from './invalidations.ts'
import { LeaseWait } from './lease-wait.ts'
import { stamped } from './memory-tier.ts'
import type { CachedRead, ReadResult } from './port.ts'
import type { EntryLookup, HeldLock, LeasedLookup } from './redis-tier.ts'
import { queryName } from './stats.ts'
import { answerOf, decodeEntry, encodeEntry, type StoredEntry, sameGenerations } from './stored-entry.ts'

export class ReadPath {
  readonly #context: CacheContext
  readonly #invalidations: Invalidations
  readonly #leases: LeaseWait | undefined
  /** Reads (by key) and refreshes (by `key#refresh`) running in this isolate. */
  readonly #inflight = new Map<string, Promise<ReadResult<unknown>>>()

  constructor(context: CacheContext, invalidations: Invalidations) {
    this.#context = context
    this.#invalidations = invalidations
    const redis = context.tiers.redis
    this.#leases = redis && context.lock ? new LeaseWait(context, redis, context.lock) : undefined
  }

  /**
   * A memory hit is answered as a value, not a promise, so the facade's
   * `read` settles as soon as with this code inline; anything else is the
   * key's one read-through.
   */
  read<T>(spec: CachedRead<T>, key: string): ReadResult<T> | Promise<ReadResult<T>> {
    const { memory } = this.#context.tiers
    const local = this.#invalidations.localGenerations(spec.orgId, spec.tags)
    const remembered = memory?.get(key)
    if (remembered && sameGenerations(remembered.generations, local) && answersFor(spec, remembered.mark)) {
      this.#context.stats.count('memory', queryName(spec), 'hits')
      return this.#answered<T>(spec, key, decodeEntry(remembered.text) as StoredEntry, local, 'memory-hit')
    }
    if (memory) this.#context.stats.count('memory', queryName(spec), 'misses')
    // A reader that asks for more than the tier's bound reads on its own: a load already
    // running may have looked Redis up before the write it must see.
    if (spec.after !== undefined || spec.consistency) return this.#readThrough(spec, key, local)
    // One load per key in this isolate: concurrent readers share its value or its error.
    // (a load started before a write in this isolate has other local generations: not shared after it)
    const flight = `${key}#${local.join(',')}`
    const running = this.#inflight.get(flight) as Promise<ReadResult<T>> | undefined
    if (running) return running.then((result) => ({ ...result, collapsed: true }))
    const reading = this.#readThrough(spec, key, local).finally(() => this.#inflight.delete(flight))
    this.#inflight.set(flight, reading)
    return reading
  }

  async #readThrough<T>(spec: CachedRead<T>, key: string, local: number[]): Promise<ReadResult<T>> {
    const { tiers, stats } = this.#context
    const redis = tiers.redis && !this.#invalidations.pendingFor(spec.orgId, spec.tags) ? tiers.redis : undefined
    const generationKeys = this.#context.generationKeysOf(spec.orgId, spec.tags)
    const markKey = this.#context.markKeyOf(spec.orgId)
    // A reader that asks for more than the tier's bound neither takes nor waits for a lease:
    // the holder's load may have started before the write it must see.
    const leases = spec.after === undefined && !spec.consistency ? this.#leases : undefined
    const request = leases?.request(key)
    let found: EntryLookup | LeasedLookup | undefined
    if (redis)
      found = request
        ? await redis.lookupLeased(key, generationKeys, markKey, request)
        : await redis.lookup(key, generationKeys, markKey)
    const leaseState = found && 'lease' in found ? found.lease : undefined
    let lease: HeldLock | undefined =
      request && leaseState === 'taken' ? { key: request.key, token: request.token } : undefined
    const ttlMs = this.#context.ttlOf(spec)
    let stale: StoredEntry | undefined
    const entry = found?.text ? decodeEntry(found.text) : undefined
    if (redis && found?.text && entry) {
      if (sameGenerations(entry.g, found.generations)) {
        const age = Date.now() - entry.t
        if (age < entry.l) {
          // the script judged the entry unable to answer (a TTL it could not read): give the lease back
          if (lease) this.#context.inBackground(redis.releaseLock(lease.key, lease.token), spec.waitUntil)
          stats.count('redis', queryName(spec), 'hits')
          tiers.memory?.set(key, stamped(found.text, local, found.mark), entry.l - age, spec.queryType)
          return this.#answered<T>(spec, key, entry, local, 'redis-hit')
        }
        if (age < entry.l + this.#context.graceMs) {
          stale = entry
          if (this.#context.staleWhileRevalidate) {
            stats.count('redis', queryName(spec), 'staleServed')
            // one refresh across isolates: the lease's holder's (with leases off, this isolate's)
            if (lease || !request) {
              this.#context.inBackground(this.#refresh(spec, key, local, found, ttlMs, lease), spec.waitUntil)
            }
            return answerOf<T>(entry, 'stale')
          }
        }
      }
    }
    if (found) stats.count('redis', queryName(spec), 'misses')

    // wait only for a holder: an entry the script judged able to answer but this reader cannot
    // use (unreadable, or expired since), or one that cannot be stored, is loaded at once
    if (redis && found && leases && leaseState === 'held') {
      const outcome = await leases.wait(spec, key, local, generationKeys, (found as LeasedLookup).heldForMs)
      if ('value' in outcome) return outcome
      lease = outcome.lease
      if (outcome.found) found = outcome.found
    }

    let value: T
    try {
      value = await spec.load()
    } catch (error) {
      if (lease && redis) this.#context.inBackground(redis.releaseLock(lease.key, lease.token), spec.waitUntil)
      if (stale) {
        // The database failed: serve what we had within its grace window, marked stale.
        stats.count('redis', queryName(spec), 'staleServed')
        return answerOf<T>(stale, 'stale')
      }
      throw error
    }
    this.#context.sampler.loaded()
    try {
      await this.#context.hooks.beforeStore?.(key)
      this.#remember(spec, key, value, local, found, ttlMs, lease)
    } catch (error) {
      // nothing was stored: the lease must not outlive this read
      if (lease && redis) this.#context.inBackground(redis.releaseLock(lease.key, lease.token), spec.waitUntil)
      throw error
    }
    const storedIn = [...(tiers.memory ? (['memory'] as const) : []), ...(redis && found ? (['redis'] as const) : [])]
    return { value, outcome: 'miss', ...(storedIn.length > 0 && { storedIn }) }
  }

  /** A hit's answer; a sampled one is checked against the database after it (`consistency-check.ts`). */
  #answered<T>(
    spec: CachedRead<T>,
    key: string,
    entry: StoredEntry,
    local: number[],
    outcome: 'memory-hit' | 'redis-hit',
  ): ReadResult<T> {
    const answer = answerOf<T>(entry, outcome)
    if (this.#context.sampler.sample()) {
      const hit = { spec, key, entry, local, ageMs: answer.ageMs ?? 0 }
      this.#context.inBackground(checkHit(this.#context, this.#invalidations, hit), spec.waitUntil)
    }
    return answer
  }

  /** Stores a loaded value: in memory now, in Redis after the answer (one deferred write). */
  #remember(
    spec: CachedRead<unknown>,
    key: string,
    value: unknown,
    local: number[],
    found: EntryLookup | undefined,
    ttlMs: number,
    lock: HeldLock | undefined,
  ): void {
    const { memory, redis } = this.#context.tiers
    const generations = found?.generations
    const text = encodeEntry(value, generations ?? [], ttlMs)
    memory?.set(key, stamped(text, local, found?.mark), ttlMs, spec.queryType)
    if (redis && generations && this.#context.fitsRedis(text)) {
      this.#context.inBackground(redis.store(key, text, ttlMs + this.#context.graceMs, lock), spec.waitUntil)
    } else if (redis && lock) {
      // too large for Redis: tell the waiters to load their own rather than queue for the lease
      this.#context.inBackground(redis.markUnstorable(lock), spec.waitUntil)
    }
  }

  /** Stale-while-revalidate: one refresh per key in this isolate; a failed one leaves the stale entry be. */
  async #refresh<T>(
    spec: CachedRead<T>,
    key: string,
    local: number[],
    found: EntryLookup,
    ttlMs: number,
    lease: HeldLock | undefined,
  ): Promise<void> {
    const refreshKey = `${key}#refresh`
    if (this.#inflight.has(refreshKey)) {
      if (lease) await this.#context.tiers.redis?.releaseLock(lease.key, lease.token)
      return
    }
    const refreshing = (async () => {
      const value = await spec.load()
      this.#context.sampler.loaded()
      this.#remember(spec, key, value, local, found, ttlMs, lease)
      return { value, outcome: 'miss' as const }
    })()
    this.#inflight.set(refreshKey, refreshing)
    try {
      await refreshing
    } catch (error) {
      if (lease) await this.#context.tiers.redis?.releaseLock(lease.key, lease.token)
      this.#context.logger.warn('cache refresh failed; the stale entry stays until its grace ends', {
        queryType: spec.queryType,
        reason: (error as Error)?.message,
      })
    } finally {
      this.#inflight.delete(refreshKey)
    }
  }
}

/** Whether a memory entry may answer this read: not for `strong`, and not below the read's write mark. */
function answersFor(spec: CachedRead<unknown>, mark: number | undefined): boolean {
  if (spec.consistency === 'strong') return false
  return spec.after === undefined || (mark !== undefined && spec.after !== 'database' && mark >= spec.after)
}
