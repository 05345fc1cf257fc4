/**
 * What every part of the cache shares, built once from the options: the
 * tiers, the TTLs and grace, the lock and test hooks, the stats, the logger,
 * the key prefix and the tracker of background work. Each part (read path,
 * load lock, invalidations, warm path) is handed this one object rather than
 * copying the fields it needs, so each default is set in one place — like
 * bentocache's cache stack.
 */
import { BackgroundWork } from '../background-work.ts'
import type { Logger } from '../logger.ts'
import { silentLogger } from '../logger.ts'
import { CacheTiers } from './cache-tiers.ts'
import type { CacheOptions, LockOptions } from './config.ts'
import { ConsistencySampler } from './consistency-sampler.ts'
import { entryKey, generationKey, keyPrefix, markKey } from './keys.ts'
import type { CachedRead } from './port.ts'
import { CacheStats } from './stats.ts'

export class CacheContext {
  readonly logger: Logger
  readonly stats = new CacheStats()
  readonly tiers: CacheTiers
  /** How long past its TTL an entry is kept: served while it refreshes, or when the database fails. */
  readonly graceMs: number
  readonly staleWhileRevalidate: boolean
  /** The leases around a miss (`lease-lookup.ts`); undefined when off. */
  readonly lock: LockOptions | undefined
  readonly hooks: NonNullable<CacheOptions['hooks']>
  /** The largest encoded entry sent to Redis. */
  readonly maxEntryBytes: number
  /** Which hits are checked against the database (`consistency-sampler.ts`). */
  readonly sampler: ConsistencySampler
  readonly prefix: string
  /** How long a generation counter lives in Redis after its last bump. */
  readonly counterTtlMs: number
  readonly #ttls: Record<string, number>
  readonly #defaultTtlMs: number
  readonly #background = new BackgroundWork()

  constructor(options: CacheOptions) {
    this.logger = options.logger ?? silentLogger
    this.tiers = new CacheTiers(options, this.logger, this.stats)
    this.#ttls = { ...options.ttlMs }
    this.#defaultTtlMs = options.defaultTtlMs ?? 60_000
    this.graceMs = options.graceMs ?? 300_000
    this.staleWhileRevalidate = options.staleWhileRevalidate ?? true
    this.lock = options.lock === false ? undefined : { ttlMs: 2_000, pollMs: 10, ...options.lock }
    this.hooks = options.hooks ?? {}
    this.maxEntryBytes = options.maxEntryBytes ?? 512 * 1024
    this.sampler = new ConsistencySampler(
      options.consistencyChecks === false ? { sampleEvery: 0 } : options.consistencyChecks,
    )
    this.prefix = keyPrefix(options.namespace)
    // Counters outlive every entry stamped with them many times over (see BUMP in redis-tier.ts).
    const longest = Math.max(this.#defaultTtlMs, ...Object.values(this.#ttls)) + this.graceMs
    this.counterTtlMs = Math.max(24 * 3600_000, 4 * longest)
  }

  ttlFor(queryType: string, declared?: number): number {
    return this.#ttls[queryType] ?? declared ?? this.#defaultTtlMs
  }

  /** A read's TTL: this call's if it has one, else its query type's by the options, else its declaration's. */
  ttlOf(spec: CachedRead<unknown>): number {
    return spec.ttlMs ?? this.ttlFor(spec.queryType, spec.defaultTtlMs)
  }

  /** The key of a read's entry, in every tier. */
  keyOf(spec: CachedRead<unknown>): string {
    return entryKey(spec.orgId, spec.repository, spec.operation, spec.params, this.prefix)
  }

  /** Whether an encoded entry may go to Redis; one that may not is counted. */
  fitsRedis(text: string): boolean {
    if (utf8Bytes(text) <= this.maxEntryBytes) return true
    this.stats.skippedTooLarge += 1
    return false
  }

  /** The organization's write mark (`keys.ts`). */
  markKeyOf(orgId: string): string {
    return markKey(orgId, this.prefix)
  }

  /** The Redis counters of an organization's tags, in the tags' order. */
  generationKeysOf(orgId: string, tags: readonly string[]): string[] {
    return tags.map((tag) => generationKey(orgId, tag, this.prefix))
  }

  /**
   * Tracks work that runs past the answer and hands it to the read's
   * `waitUntil`. Only with a `waitUntil`: `?.` skips its argument too, so
   * without one the work runs untracked and `idle()` does not wait for it.
   */
  inBackground(work: Promise<unknown>, waitUntil?: (work: Promise<unknown>) => void): void {
    waitUntil?.(this.#background.add(work))
  }

  /** Resolves when background work (refreshes, deferred stores) has finished. */
  idle(): Promise<void> {
    return this.#background.settled()
  }
}

/** UTF-8 length without encoding: what the entry weighs in Redis and on the wire. */
function utf8Bytes(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code < 0xdc00) {
      bytes += 4 // a surrogate pair: one code point of four bytes
      i += 1
    } else bytes += 3
  }
  return bytes
}
