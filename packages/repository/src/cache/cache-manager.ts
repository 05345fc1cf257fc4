/**
 * The two-tier cache: memory (per isolate) in front of Redis (shared), with
 * invalidation by tag generations.
 *
 * Every entry is stamped with the generations of the tags it depends on
 * (`documents:123`, `documents:list`, …). A read fetches the entry and the
 * current generations in one MGET; any mismatch is a miss. A miss stamps the
 * new entry with the generations it read *before* querying the database, so
 * a write that commits meanwhile (and bumps a generation after its COMMIT)
 * makes the entry dead on arrival: a reader can never put an old row back.
 * Writes bump their tags in one request; nothing is ever deleted or scanned.
 *
 * Redis is optional and never fatal (see `redis-tier.ts`); without it, and
 * without memory, reads pass straight through ("bypass").
 */
import { BackgroundWork } from '../background-work.ts'
import type { Logger } from '../logger.ts'
import { silentLogger } from '../logger.ts'
import { decodeValue, encodeValue } from './codec.ts'
import { type CacheOptions, DEFAULT_TTL_MS, type LockOptions } from './config.ts'
import { LocalGenerations, PendingInvalidations } from './generations.ts'
import { HotKeys } from './hot-keys.ts'
import { entryKey, generationKey, keyPrefix, lockKey, warmLockKey } from './keys.ts'
import { MemoryTier } from './memory-tier.ts'
import { RedisTier } from './redis-tier.ts'
import { type CacheOutcome, CacheStats, type CacheStatsSnapshot, type CacheTier } from './stats.ts'

export interface CachedRead<T> {
  orgId: string
  repository: string
  /** The method; part of the key. */
  operation: string
  /** What the TTL is chosen by (`findById`, `findMany`, `related`, `byTopic`, …). */
  queryType: string
  /** Everything the result depends on besides the organization. */
  params: unknown
  /** Tags whose writes make this entry obsolete. */
  tags: readonly string[]
  /** Overrides the query type's TTL for this call. */
  ttlMs?: number
  load: () => Promise<T>
  /** Keeps background work (refresh, deferred store) alive on Workers: `ctx.waitUntil`. */
  waitUntil?: (work: Promise<unknown>) => void
}

export interface ReadResult<T> {
  value: T
  outcome: CacheOutcome
}

/** What Redis holds for one entry. */
interface StoredEntry {
  /** The value. */
  v: unknown
  /** Generations of the tags when the value was read. */
  g: string[]
  /** Stored at (ms since epoch). */
  t: number
  /** Its TTL in ms. */
  l: number
}

/** An entry written by another format or corrupted is simply a miss. */
function decodeEntry(text: string): StoredEntry | undefined {
  try {
    const entry = decodeValue(text) as StoredEntry
    return Array.isArray(entry?.g) && typeof entry.t === 'number' && typeof entry.l === 'number' ? entry : undefined
  } catch {
    return undefined
  }
}

/** Stats are kept per query: the repository and operation that read (each has one query type). */
const statsKey = (spec: CachedRead<unknown>) => `${spec.repository}.${spec.operation}`
const sameList = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i])
const FLUSH_INTERVAL_MS = 1_000

export class CacheManager {
  readonly #memory: MemoryTier | undefined
  readonly #redis: RedisTier | undefined
  readonly #ttls: Record<string, number>
  readonly #defaultTtlMs: number
  readonly #graceMs: number
  readonly #staleWhileRevalidate: boolean
  readonly #lock: LockOptions | undefined
  readonly #counterTtlMs: number
  readonly #hooks: NonNullable<CacheOptions['hooks']>
  readonly #prefix: string
  readonly #logger: Logger
  readonly #hot: HotKeys | undefined
  readonly #stats = new CacheStats()
  readonly #local = new LocalGenerations()
  readonly #pending = new PendingInvalidations()
  readonly #inflight = new Map<string, Promise<ReadResult<unknown>>>()
  readonly #background = new BackgroundWork()
  #lastFlushAttempt = 0

  constructor(options: CacheOptions = {}) {
    this.#logger = options.logger ?? silentLogger
    this.#memory =
      options.memory === false
        ? undefined
        : new MemoryTier({ maxEntries: 5_000, maxBytes: 32 * 1024 * 1024, maxStalenessMs: 2_000, ...options.memory })
    this.#redis =
      options.redis &&
      new RedisTier(options.redis, {
        timeoutMs: options.redisTimeoutMs ?? 150,
        ...(options.breaker && { breaker: options.breaker }),
        logger: this.#logger,
        onError: () => this.#stats.count('redis', 'all', 'errors'),
      })
    this.#ttls = { ...DEFAULT_TTL_MS, ...options.ttlMs }
    this.#defaultTtlMs = options.defaultTtlMs ?? 60_000
    this.#graceMs = options.graceMs ?? 300_000
    this.#staleWhileRevalidate = options.staleWhileRevalidate ?? true
    this.#lock = options.lock ? { ttlMs: 2_000, pollMs: 25, ...options.lock } : undefined
    this.#hooks = options.hooks ?? {}
    this.#prefix = keyPrefix(options.namespace)
    this.#hot =
      this.#redis && options.hotKeys !== false
        ? new HotKeys(this.#redis, this.#prefix, options.hotKeys || {})
        : undefined
    // Counters outlive every entry stamped with them many times over (see BUMP in redis-tier.ts).
    const longest = Math.max(this.#defaultTtlMs, ...Object.values(this.#ttls)) + this.#graceMs
    this.#counterTtlMs = Math.max(24 * 3600_000, 4 * longest)
  }

  /** Whether any tier is configured; without one every read is a bypass. */
  get enabled(): boolean {
    return this.#memory !== undefined || this.#redis !== undefined
  }

  /** The tiers configured, nearest the caller first (for `Cache-Status`). */
  get tiers(): CacheTier[] {
    return [...(this.#memory ? (['memory'] as const) : []), ...(this.#redis ? (['redis'] as const) : [])]
  }

  ttlFor(queryType: string): number {
    return this.#ttls[queryType] ?? this.#defaultTtlMs
  }

  async read<T>(spec: CachedRead<T>): Promise<ReadResult<T>> {
    if (!this.enabled) return { value: await spec.load(), outcome: 'bypass' }
    // Invalidations Redis missed are retried beside the read, never in its way: until they land,
    // reads of their tags skip Redis.
    if (this.#pending.size > 0) this.#inBackground(this.#retryPendingInvalidations(), spec.waitUntil)
    const key = entryKey(spec.orgId, spec.repository, spec.operation, spec.params, this.#prefix)
    const tracking = this.#hot?.record(spec.orgId, spec.repository, spec.operation, spec.params)
    if (tracking) this.#inBackground(tracking, spec.waitUntil)
    const local = this.#local.of(spec.orgId, spec.tags)
    const remembered = this.#memory?.get(key)
    if (remembered && sameList(remembered.generations, local)) {
      this.#stats.count('memory', statsKey(spec), 'hits')
      return { value: (decodeEntry(remembered.text) as StoredEntry).v as T, outcome: 'memory-hit' }
    }
    if (this.#memory) this.#stats.count('memory', statsKey(spec), 'misses')
    // One load per key in this isolate: concurrent readers share its value or its error.
    const running = this.#inflight.get(key)
    if (running) return running as Promise<ReadResult<T>>
    const reading = this.#readThrough(spec, key, local).finally(() => this.#inflight.delete(key))
    this.#inflight.set(key, reading)
    return reading
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
  async warm<T>(
    spec: CachedRead<T>,
    lockTtlMs = 60_000,
  ): Promise<{ value?: T; outcome: 'warmed' | 'skipped' | 'unavailable' }> {
    const redis = this.#redis
    if (!redis) return { outcome: 'unavailable' }
    const key = entryKey(spec.orgId, spec.repository, spec.operation, spec.params, this.#prefix)
    const lock = { key: warmLockKey(key), token: crypto.randomUUID() }
    const got = await redis.acquireLock(lock.key, lock.token, lockTtlMs)
    if (got === undefined) return { outcome: 'unavailable' }
    if (!got) return { outcome: 'skipped' }
    const generationKeys = spec.tags.map((tag) => generationKey(spec.orgId, tag, this.#prefix))
    const found = await redis.lookup(key, generationKeys)
    if (!found) return { outcome: 'unavailable' }
    let value: T
    try {
      value = await spec.load()
    } catch (error) {
      await redis.releaseLock(lock.key, lock.token) // the next run may try again
      throw error
    }
    const ttlMs = spec.ttlMs ?? this.ttlFor(spec.queryType)
    const text = encodeValue({ v: value, g: found.generations, t: Date.now(), l: ttlMs } satisfies StoredEntry)
    this.#memory?.set(key, { text, generations: this.#local.of(spec.orgId, spec.tags) }, ttlMs)
    const stored = await redis.store(key, text, ttlMs + this.#graceMs)
    return stored ? { value, outcome: 'warmed' } : { outcome: 'unavailable' }
  }

  /**
   * Makes every entry that depends on `tags` obsolete: in this isolate at
   * once, in Redis with one request. If Redis cannot be reached the bump is
   * kept and retried, and until then reads of those tags skip Redis.
   */
  async invalidate(orgId: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return
    this.#local.bump(orgId, tags)
    await this.#bumpInRedis(orgId, tags)
  }

  /** True once Redis has the bump; otherwise the tags stay pending. */
  async #bumpInRedis(orgId: string, tags: readonly string[]): Promise<boolean> {
    if (!this.#redis) return true
    const sent = await this.#redis.bump(
      tags.map((tag) => generationKey(orgId, tag, this.#prefix)),
      this.#counterTtlMs,
    )
    if (sent) {
      this.#stats.invalidationsSent += 1
    } else {
      this.#stats.invalidationsFailed += 1
      this.#pending.add(orgId, tags)
    }
    return sent
  }

  /** Resolves when background work (refreshes, deferred stores) has finished. */
  idle(): Promise<void> {
    return this.#background.settled()
  }

  /**
   * For health checks: `disabled` (no tier), `memory` (no Redis configured),
   * or whether Redis answers one read now (through its timeout and breaker).
   */
  async probe(): Promise<'disabled' | 'memory' | 'ok' | 'unavailable'> {
    if (!this.enabled) return 'disabled'
    if (!this.#redis) return 'memory'
    const answer = await this.#redis.lookup(`${this.#prefix}:probe`, [])
    return answer === undefined ? 'unavailable' : 'ok'
  }

  stats(): CacheStatsSnapshot {
    return this.#stats.snapshot({
      memory: { ...(this.#memory?.size ?? { entries: 0, bytes: 0 }), evictions: this.#memory?.evictions ?? 0 },
      breakerOpenings: this.#redis?.breakerOpenings ?? 0,
      pending: this.#pending.size,
    })
  }

  async #readThrough<T>(spec: CachedRead<T>, key: string, local: number[]): Promise<ReadResult<T>> {
    const redis = this.#redis && !this.#pending.affects(spec.orgId, spec.tags) ? this.#redis : undefined
    const generationKeys = spec.tags.map((tag) => generationKey(spec.orgId, tag, this.#prefix))
    let found = redis ? await redis.lookup(key, generationKeys) : undefined
    const ttlMs = spec.ttlMs ?? this.ttlFor(spec.queryType)
    let stale: StoredEntry | undefined
    const entry = found?.text ? decodeEntry(found.text) : undefined
    if (found?.text && entry) {
      if (sameList(entry.g, found.generations)) {
        const age = Date.now() - entry.t
        if (age < entry.l) {
          this.#stats.count('redis', statsKey(spec), 'hits')
          this.#memory?.set(key, { text: found.text, generations: local }, entry.l - age)
          return { value: entry.v as T, outcome: 'redis-hit' }
        }
        if (age < entry.l + this.#graceMs) {
          stale = entry
          if (this.#staleWhileRevalidate) {
            this.#stats.count('redis', statsKey(spec), 'staleServed')
            this.#inBackground(this.#refresh(spec, key, local, found.generations, ttlMs), spec.waitUntil)
            return { value: entry.v as T, outcome: 'stale' }
          }
        }
      }
    }
    if (found) this.#stats.count('redis', statsKey(spec), 'misses')

    let lock: { key: string; token: string } | undefined
    if (redis && found && this.#lock) {
      const outcome = await this.#lockOrWait(spec, key, local, generationKeys)
      if ('value' in outcome) return outcome
      lock = outcome.lock
      if (outcome.found) found = outcome.found
    }

    let value: T
    try {
      value = await spec.load()
    } catch (error) {
      if (lock) this.#inBackground(this.#redis?.releaseLock(lock.key, lock.token) ?? Promise.resolve(), spec.waitUntil)
      if (stale) {
        // The database failed: serve what we had within its grace window, marked stale.
        this.#stats.count('redis', statsKey(spec), 'staleServed')
        return { value: stale.v as T, outcome: 'stale' }
      }
      throw error
    }
    await this.#hooks.beforeStore?.(key)
    this.#remember(key, value, local, found?.generations, ttlMs, lock, spec.waitUntil)
    return { value, outcome: 'miss' }
  }

  /** Stores a loaded value: in memory now, in Redis after the answer (one deferred write). */
  #remember(
    key: string,
    value: unknown,
    local: number[],
    generations: string[] | undefined,
    ttlMs: number,
    lock: { key: string; token: string } | undefined,
    waitUntil: ((work: Promise<unknown>) => void) | undefined,
  ): void {
    const entry: StoredEntry = { v: value, g: generations ?? [], t: Date.now(), l: ttlMs }
    const text = encodeValue(entry)
    this.#memory?.set(key, { text, generations: local }, ttlMs)
    if (this.#redis && generations) {
      this.#inBackground(this.#redis.store(key, text, ttlMs + this.#graceMs, lock), waitUntil)
    }
  }

  async #refresh<T>(
    spec: CachedRead<T>,
    key: string,
    local: number[],
    generations: string[],
    ttlMs: number,
  ): Promise<void> {
    const refreshKey = `${key}#refresh`
    if (this.#inflight.has(refreshKey)) return
    const refreshing = (async () => {
      const value = await spec.load()
      this.#remember(key, value, local, generations, ttlMs, undefined, spec.waitUntil)
      return { value, outcome: 'miss' as const }
    })()
    this.#inflight.set(refreshKey, refreshing)
    try {
      await refreshing
    } catch (error) {
      this.#logger.warn('cache refresh failed; the stale entry stays until its grace ends', {
        queryType: spec.queryType,
        reason: (error as Error)?.message,
      })
    } finally {
      this.#inflight.delete(refreshKey)
    }
  }

  /**
   * With the lock on: take it and load, or — if another isolate holds it —
   * wait for the value it stores, up to the lock's TTL, then load anyway.
   */
  async #lockOrWait<T>(
    spec: CachedRead<T>,
    key: string,
    local: number[],
    generationKeys: string[],
  ): Promise<
    ReadResult<T> | { lock?: { key: string; token: string }; found?: { text: string | null; generations: string[] } }
  > {
    const redis = this.#redis as RedisTier
    const options = this.#lock as LockOptions
    const lock = { key: lockKey(key), token: crypto.randomUUID() }
    const acquired = await redis.acquireLock(lock.key, lock.token, options.ttlMs)
    if (acquired === undefined) return {}
    if (acquired) {
      // The lookup and the lock are two requests: the holder before us may have stored and
      // unlocked in between. Look once more before loading what is already there.
      const found = await redis.lookup(key, generationKeys)
      const hit = found && this.#validHit(spec, key, local, found)
      if (hit) this.#inBackground(redis.releaseLock(lock.key, lock.token), spec.waitUntil)
      return hit || { lock, ...(found && { found }) }
    }
    const deadline = Date.now() + options.ttlMs
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs))
      const found = await redis.lookup(key, generationKeys)
      if (!found) return {}
      const hit = this.#validHit(spec, key, local, found)
      if (hit) return hit
      if (found.text) return { found } // an entry, but obsolete: load, stamped with today's generations
    }
    return {}
  }

  /** A found entry still current (its generations unchanged), remembered in memory; undefined otherwise. */
  #validHit<T>(
    spec: CachedRead<T>,
    key: string,
    local: number[],
    found: { text: string | null; generations: string[] },
  ): ReadResult<T> | undefined {
    const entry = found.text ? decodeEntry(found.text) : undefined
    if (!found.text || !entry || !sameList(entry.g, found.generations)) return undefined
    this.#stats.count('redis', statsKey(spec), 'hits')
    this.#memory?.set(key, { text: found.text, generations: local }, entry.l)
    return { value: entry.v as T, outcome: 'redis-hit' }
  }

  async #retryPendingInvalidations(): Promise<void> {
    if (this.#pending.size === 0 || !this.#redis) return
    const now = Date.now()
    if (now - this.#lastFlushAttempt < FLUSH_INTERVAL_MS) return
    this.#lastFlushAttempt = now
    // all organizations at once: on Lambda a read waits for this pass, bounded by one Redis timeout
    const snapshot = this.#pending.snapshot()
    await Promise.all(
      [...snapshot.byOrg].map(async ([orgId, tags]) => {
        if (await this.#bumpInRedis(orgId, tags)) this.#pending.settle(orgId, tags, snapshot)
      }),
    )
  }

  #inBackground(work: Promise<unknown>, waitUntil?: (work: Promise<unknown>) => void): void {
    waitUntil?.(this.#background.add(work))
  }
}
