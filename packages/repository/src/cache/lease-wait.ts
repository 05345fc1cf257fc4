/**
 * The other side of a lease (`lease-lookup.ts`): a reader whose lookup found
 * no entry that can answer and whose lease another isolate holds waits for
 * the entry that holder stores, instead of querying too.
 *
 * It looks again after `pollMs`, then at growing intervals (×1.5, at most
 * 100 ms), never past the lease's TTL: the lease was taken before this
 * reader's lookup, so by then it has expired. Each look asks for the lease
 * as well, in the same request, so when the holder died (its lease expired)
 * or stored an entry already obsolete (a write committed during its load),
 * exactly one waiter becomes the holder and loads. A wait that ends with
 * neither loads without a lease.
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
  ): Promise<ReadResult<T> | LoadAhead> {
    const deadline = Date.now() + this.#options.ttlMs
    let pause = this.#options.pollMs
    let latest: EntryLookup | undefined
    while (Date.now() + pause <= deadline) {
      await new Promise((resolve) => setTimeout(resolve, pause))
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
      if (found.lease === 'unneeded') return { found } // an entry this reader cannot use: load
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
