/**
 * The two-tier cache: memory (per isolate) in front of Redis (shared), with
 * invalidation by tag generations.
 *
 * Every entry is stamped with the generations of the tags it depends on
 * (`tasks:123`, `tasks:list`, …). A read fetches the entry and the
 * current generations in one MGET; any mismatch is a miss. A miss stamps the
 * new entry with the generations it read *before* querying the database, so
 * a write that commits meanwhile (and bumps a generation after its COMMIT)
 * makes the entry dead on arrival: a reader can never put an old row back.
 * Writes bump their tags in one request; nothing is ever deleted or scanned.
 *
 * Redis is optional and never fatal (see `redis-tier.ts`); without it, and
 * without memory, reads pass straight through ("bypass").
 *
 * This class is the facade; each idea has its own file, as bentocache splits
 * its cache: the shared context (`cache-context.ts`) and tiers
 * (`cache-tiers.ts`), the read algorithm (`read-path.ts`, with the Redis lock
 * in `load-lock.ts`), invalidation (`invalidations.ts`), the warm job's read
 * (`warm-path.ts`) and the counters (`stats.ts`).
 */
import { CacheContext } from './cache-context.ts'
import type { CacheOptions } from './config.ts'
import { HotKeys } from './hot-keys.ts'
import { Invalidations } from './invalidations.ts'
import type { CachedRead, ReadCache, ReadResult, WarmResult, WriteMark } from './port.ts'
import { ReadPath } from './read-path.ts'
import type { CacheStatsSnapshot, CacheTier } from './stats.ts'
import { WarmPath } from './warm-path.ts'

export class CacheManager implements ReadCache {
  readonly #context: CacheContext
  readonly #hot: HotKeys | undefined
  readonly #invalidations: Invalidations
  readonly #reads: ReadPath
  readonly #warming: WarmPath

  constructor(options: CacheOptions = {}) {
    this.#context = new CacheContext(options)
    const { tiers, prefix } = this.#context
    this.#hot =
      tiers.redis && options.hotKeys !== false ? new HotKeys(tiers.redis, prefix, options.hotKeys || {}) : undefined
    this.#invalidations = new Invalidations(this.#context)
    this.#reads = new ReadPath(this.#context, this.#invalidations)
    this.#warming = new WarmPath(this.#context, this.#invalidations)
  }

  /** Whether any tier is configured; without one every read is a bypass. */
  get enabled(): boolean {
    return this.#context.tiers.enabled
  }

  /** The tiers configured, nearest the caller first (for `Cache-Status`). */
  get tiers(): CacheTier[] {
    return this.#context.tiers.names
  }

  async read<T>(spec: CachedRead<T>): Promise<ReadResult<T>> {
    // fresh, or after a write no shared tier vouched for: only the database can answer
    if (!this.enabled || spec.consistency === 'fresh' || spec.after === 'database') {
      return { value: await spec.load(), outcome: 'bypass', ...(this.enabled && { requested: true }) }
    }
    // Invalidations Redis missed are retried beside the read, never in its way: until they land,
    // reads of their tags skip Redis.
    if (this.#invalidations.pendingCount > 0) {
      this.#context.inBackground(this.#invalidations.retryPending(), spec.waitUntil)
    }
    const key = this.#context.keyOf(spec)
    const tracking = this.#hot?.record(spec.orgId, spec.repository, spec.operation, spec.params)
    if (tracking) this.#context.inBackground(tracking, spec.waitUntil)
    return this.#reads.read(spec, key)
  }

  /** The hot-key sets the warm job reads; undefined without Redis. */
  get hotKeys(): HotKeys | undefined {
    return this.#hot
  }

  /**
   * The warm job's read: loads from the database and stores in every tier,
   * whatever they hold, so the entry starts a fresh TTL before it expires.
   * Stamped with the generations read before loading, like a miss. A warm
   * lock (held `lockTtlMs`) makes concurrent warm runs refresh a key once:
   * `skipped` for the run that did not get it. `unavailable` when Redis
   * cannot be reached: then nothing is written. A failing load throws.
   */
  warm<T>(spec: CachedRead<T>, lockTtlMs = 60_000): Promise<WarmResult<T>> {
    return this.#warming.warm(spec, lockTtlMs)
  }

  /**
   * Makes every entry that depends on `tags` obsolete: in this isolate at
   * once, in Redis with one request. If Redis cannot be reached the bump is
   * kept and retried, and until then reads of those tags skip Redis. Answers
   * the write mark a consistency token carries.
   */
  invalidate(orgId: string, tags: readonly string[]): Promise<WriteMark> {
    return this.#invalidations.invalidate(orgId, tags)
  }

  /** Resolves when background work (refreshes, deferred stores) has finished. */
  idle(): Promise<void> {
    return this.#context.idle()
  }

  /**
   * For health checks: `disabled` (no tier), `memory` (no Redis configured),
   * or whether Redis answers one read now (through its timeout and breaker).
   */
  async probe(): Promise<'disabled' | 'memory' | 'ok' | 'unavailable'> {
    if (!this.enabled) return 'disabled'
    const { redis } = this.#context.tiers
    if (!redis) return 'memory'
    const answer = await redis.lookup(`${this.#context.prefix}:probe`, [])
    return answer === undefined ? 'unavailable' : 'ok'
  }

  stats(): CacheStatsSnapshot {
    return this.#context.stats.snapshot({
      ...this.#context.tiers.usage(),
      pending: this.#invalidations.pendingCount,
      localCounters: this.#invalidations.localCount,
    })
  }
}
