/**
 * The tiers a read passes through, nearest the caller first: memory (this
 * isolate's LRU) and Redis (shared, failing soft: see `redis-tier.ts`).
 * Built once from the options with their defaults; either may be off, and
 * with both off every read is a bypass. The rest of the cache reaches the
 * tiers only through here, as bentocache reaches its drivers through facades.
 */
import type { Logger } from '../logger.ts'
import type { CacheOptions } from './config.ts'
import { MemoryTier } from './memory-tier.ts'
import { RedisTier } from './redis-tier.ts'
import type { CacheStats, CacheStatsSnapshot, CacheTier } from './stats.ts'

export class CacheTiers {
  readonly memory: MemoryTier | undefined
  readonly redis: RedisTier | undefined

  constructor(options: CacheOptions, logger: Logger, stats: CacheStats) {
    this.memory =
      options.memory === false
        ? undefined
        : new MemoryTier({ maxEntries: 5_000, maxBytes: 32 * 1024 * 1024, maxStalenessMs: 1_000, ...options.memory })
    this.redis =
      options.redis &&
      new RedisTier(options.redis, {
        timeoutMs: options.redisTimeoutMs ?? 150,
        ...(options.breaker && { breaker: options.breaker }),
        logger,
        onError: () => stats.count('redis', 'all', 'errors'),
      })
  }

  /** Whether any tier is configured; without one every read is a bypass. */
  get enabled(): boolean {
    return this.memory !== undefined || this.redis !== undefined
  }

  /** The tiers configured, nearest the caller first (for `Cache-Status`). */
  get names(): CacheTier[] {
    return [...(this.memory ? (['memory'] as const) : []), ...(this.redis ? (['redis'] as const) : [])]
  }

  /** What the stats report of the tiers themselves: memory held and evicted, breaker openings. */
  usage(): Pick<CacheStatsSnapshot, 'memory' | 'breakerOpenings'> {
    return {
      memory: { ...(this.memory?.size ?? { entries: 0, bytes: 0 }), evictions: this.memory?.evictions ?? 0 },
      breakerOpenings: this.redis?.breakerOpenings ?? 0,
    }
  }
}
