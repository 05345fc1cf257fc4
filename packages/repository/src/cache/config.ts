/** How the cache behaves: one documented options object, every field with its default. */
import type { Logger } from '../logger.ts'
import type { CircuitBreakerOptions } from './circuit-breaker.ts'
import type { ConsistencyCheckOptions } from './consistency-sampler.ts'
import type { HotKeyOptions } from './hot-keys.ts'
import type { RedisLike } from './redis-like.ts'

export interface MemoryTierOptions {
  /** @default 5_000 */
  maxEntries: number
  /** Bytes of encoded values held in all. @default 32 MiB */
  maxBytes: number
  /**
   * How long an entry answers from memory. Writes in this isolate invalidate
   * it at once; a write in another isolate is seen here within this bound
   * (or at once by a read that sends the write's consistency token).
   * @default 1_000
   */
  maxStalenessMs: number
  /** The bound for particular query types, e.g. `{ related: 5_000 }`. @default none */
  maxStalenessMsByQueryType?: Readonly<Record<string, number>>
}

export interface LockOptions {
  /** How long a lease's holder may load before others take over (the lease expires). @default 2_000 */
  ttlMs: number
  /** When a waiter first looks for the holder's entry; it then backs off (×1.5, at most 100 ms). @default 10 */
  pollMs: number
}

export interface CacheOptions {
  /** Upstash Redis (or the local bridge); without it the memory tier works alone. */
  redis?: RedisLike
  /**
   * Prefix of every key: give each deployment or database sharing one Redis its
   * own, so equal organization ids in two of them never share entries.
   * @default 'dal'
   */
  namespace?: string
  /** The in-isolate LRU tier; `false` turns it off. */
  memory?: Partial<MemoryTierOptions> | false
  /**
   * Time to live by query type, over what each read declares (`findById`
   * 60 s and `findMany` 30 s; a repository's own reads say theirs, and
   * complex ones live longer: the documents' `related` 300 s).
   */
  ttlMs?: Record<string, number>
  /** For reads that declare no TTL and whose query type is not in `ttlMs`. @default 60_000 */
  defaultTtlMs?: number
  /**
   * How long past its TTL an entry is kept: served while one refresh runs
   * (stale-while-revalidate), and served marked stale when the database fails.
   * @default 300_000
   */
  graceMs?: number
  /** @default true */
  staleWhileRevalidate?: boolean
  /**
   * The largest entry sent to Redis, in bytes of its encoded text. A larger
   * one stays in this isolate's memory tier (within its byte cap) and is
   * counted (`CacheSkippedTooLarge`): every distinct query would otherwise
   * park its whole answer in the shared Redis. @default 512 KiB
   */
  maxEntryBytes?: number
  /** Longest wait for any Redis call before the cache gives up on it. @default 150 */
  redisTimeoutMs?: number
  /** @default 5 failures in a row open it for 5 s */
  breaker?: Partial<CircuitBreakerOptions>
  /**
   * Leases: the lookup that misses takes the key's lease in the same request, and
   * concurrent misses in other isolates wait for its holder's entry, so N isolates make one
   * query (`lease-lookup.ts`). `false` turns them off. @default on, 2 s
   */
  lock?: Partial<LockOptions> | false
  /** Sampling of reads into per-tenant hot-key sets for the warm job (needs Redis). `false`: off. @default one in 10 */
  hotKeys?: Partial<HotKeyOptions> | false
  /**
   * Re-reads a sample of cache hits from the database after their answer and
   * counts the stale ones (`CacheConsistencyChecks`, `CacheStaleReads`,
   * `CacheStaleReadAge`). `false` or `sampleEvery: 0`: off.
   * @default one hit in 100, at most 1% of the isolate's database loads
   */
  consistencyChecks?: Partial<ConsistencyCheckOptions> | false
  logger?: Logger
  /** Pause points to force interleavings in tests. */
  hooks?: { beforeStore?: (key: string) => Promise<void> }
}
