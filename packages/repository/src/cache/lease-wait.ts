/**
 * The other side of a lease (`lease-lookup.ts`): a reader whose lookup found
 * no entry that can answer and whose lease another isolate holds waits for
 * the entry that holder stores, instead of querying too.
 *
 * It looks again after `pollMs`, then at growing intervals (×1.5, at most
 * 100 ms), and once more just after the holder's lease expires (the lookup
 * says how long it has left), never later. Each look asks for the lease as
 * well, in the same request, so when the holder died (its lease expired) or
 * stored an entry already obsolete (a write committed during its load),
 * exactly one waiter becomes the holder and loads; the others wait for that
 * new holder the same way. Waiting ends, whatever happens, at about twice
 * the lease's TTL (spread by up to a fifth of it): then the reader loads
 * without a lease. A holder that could not store (the entry is too large
 * for Redis) leaves a mark instead of its lease, and readers load at once.
 */
import type { CacheContext } from './cache-context.ts'
import type { LockOptions } from './config.ts'
import { lockKey } from './keys.ts'
import type { LeaseRequest } from './lease-lookup.ts'
import { stamped } from './memory-tier.ts'
import type { CachedRead, ReadResult } from './port.ts'
import type { EntryLookup, HeldLock, LeasedLookup, RedisTier } from './redis-tier.ts'
import { queryName } from './stats.ts'
import { answerOf, decodeEntry, sameGenerations } from './stored-entry.ts'

/** The read goes on to load: holding the lease if it got it, with the newest lookup. */
export interface LoadAhead {
  lease?: HeldLock
  found?: EntryLookup
}

const LONGEST_POLL_MS = 100
/** How soon after the holder's lease expires the last look is. */
const AFTER_EXPIRY_MS = 5

export class LeaseWait {
  readonly #context: CacheContext
  readonly #redis: RedisTier
  readonly #options: LockOptions

  constructor(context: CacheContext, redis: RedisTier, options: LockOptions) {
    this.#context = context
    this.#redis = redis
    this.#options = options
  }

  /** A lease to ask for with a lookup of `key`: a token of its own, so only its holder releases it. */
  request(key: string, force = false): LeaseRequest {
    return { key: lockKey(key), token: crypto.randomUUID(), ttlMs: this.#options.ttlMs, ...(force && { force }) }
  }

  /** Waits for the holder's entry; answers it, or what to load with (module comment). */
  async wait<T>(
    spec: CachedRead<T>,
    key: string,
    local: number[],
    generationKeys: string[],
    heldForMs = this.#options.ttlMs,
  ): Promise<ReadResult<T> | LoadAhead> {
    const started = Date.now()
    // the cap spread over a fifth of the TTL, so waiters reaching it do not all load at once
    const cap = started + (2 + Math.random() / 5) * this.#options.ttlMs
    let expires = started + heldForMs
    let pause = Math.max(1, this.#options.pollMs)
    let latest: EntryLookup | undefined
    for (;;) {
      const now = Date.now()
      // one look just after the holder's lease has expired, never past the cap
      const until = Math.min(expires + AFTER_EXPIRY_MS, cap)
      if (now >= until) break
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, until - now)))
      pause = Math.min(pause * 1.5, LONGEST_POLL_MS)
      const lease = this.request(key)
      const found = await this.#redis.lookupLeased(key, generationKeys, this.#context.markKeyOf(spec.orgId), lease)
      if (!found) return latest ? { found: latest } : {} // Redis went away: load
      const hit = this.validHit(spec, key, local, found)
      const taken = found.lease === 'taken'
      if (hit) {
        if (taken) this.#context.inBackground(this.#redis.releaseLock(lease.key, lease.token), spec.waitUntil)
        return hit
      }
      latest = found
      if (taken) return { lease: { key: lease.key, token: lease.token }, found }
      // an entry this reader cannot use, or one that cannot be stored: load
      if (found.lease === 'unneeded' || found.lease === 'unstorable') return { found }
      expires = Date.now() + (found.heldForMs ?? this.#options.ttlMs) // this holder, or a new one
    }
    return latest ? { found: latest } : {}
  }

  /** A found entry that can answer (current and within its TTL), remembered in memory; undefined otherwise. */
  validHit<T>(spec: CachedRead<T>, key: string, local: number[], found: LeasedLookup): ReadResult<T> | undefined {
    const entry = found.text ? decodeEntry(found.text) : undefined
    if (!found.text || !entry || !sameGenerations(entry.g, found.generations)) return undefined
    const age = Date.now() - entry.t
    if (age >= entry.l) return undefined
    this.#context.stats.count('redis', queryName(spec), 'hits')
    this.#context.tiers.memory?.set(key, stamped(found.text, local, found.mark), entry.l - age, spec.queryType)
    return answerOf<T>(entry, 'redis-hit')
  }
}
