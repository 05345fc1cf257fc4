/**
 * The port between the repositories and the cache: what a repository asks
 * the cache for (`CachedRead`), what it gets back, and the few calls it makes
 * (`ReadCache`). The repositories import nothing else from `cache/`, and the
 * cache nothing from `repositories/`; `CacheManager` is the one implementation.
 */
import type { CacheOutcome, CacheTier } from './stats.ts'

export type { CacheOutcome } from './stats.ts'

export interface CachedRead<T> {
  orgId: string
  repository: string
  /** The declared read's name; part of the key. */
  operation: string
  /** What the cache options' `ttlMs` chooses the TTL by (`findById`, `findMany`, `related`, …). */
  queryType: string
  /** Everything the result depends on besides the organization. */
  params: unknown
  /** Tags whose writes make this entry obsolete. */
  tags: readonly string[]
  /** Overrides every other TTL for this call. */
  ttlMs?: number
  /** The declaration's TTL, used when the options name none for the query type. */
  defaultTtlMs?: number
  load: () => Promise<T>
  /** Keeps background work (refresh, deferred store) alive on Workers: `ctx.waitUntil`. */
  waitUntil?: (work: Promise<unknown>) => void
  /** Answer nothing older than this write (a consistency token's mark). */
  after?: WriteMark
  /** `strong`: not from this isolate's memory; `fresh`: from the database. @default the tiers' bounds */
  consistency?: Consistency
}

/**
 * Where a committed write left the organization's entries: the write mark
 * Redis answered for its invalidation (readers whose entries carry an older
 * mark skip them), or `database` when no shared tier can vouch for anything
 * newer (no Redis, or the bump did not reach it): only the database can.
 */
export type WriteMark = number | 'database'

/** How current a read must be, beyond the tiers' own bounds. */
export type Consistency = 'strong' | 'fresh'

/** How one read was answered, in the terms of RFC 9111 `Age` and RFC 9211 `Cache-Status`. */
export interface CacheAnswer {
  outcome: CacheOutcome
  /** Since the answer was loaded from the database (hits and stale answers). */
  ageMs?: number
  /** What is left of its freshness; negative when stale. */
  ttlMs?: number
  /** A miss: the tiers that now keep its answer. */
  storedIn?: readonly CacheTier[]
  /** It shared another reader's load of the same key. */
  collapsed?: boolean
  /** The reader asked for the database (`fresh`). */
  requested?: boolean
}

export type ReadResult<T> = CacheAnswer & { value: T }

/** How the warm job's refresh of one entry went. */
export type WarmOutcome = 'warmed' | 'skipped' | 'unavailable'

/** A refreshed entry's value; none when another run holds the key or Redis cannot be reached. */
export type WarmResult<T> = { outcome: 'warmed'; value: T } | { outcome: Exclude<WarmOutcome, 'warmed'> }

/** What the repositories need of a cache. */
export interface ReadCache {
  /** Whether any tier is configured; without one every read is a bypass. */
  readonly enabled: boolean
  read<T>(spec: CachedRead<T>): Promise<ReadResult<T>>
  /** Refreshes the entry in every tier (the warm job). */
  warm<T>(spec: CachedRead<T>): Promise<WarmResult<T>>
  /** Makes every entry of these tags obsolete; called once per committed unit of work. */
  invalidate(orgId: string, tags: readonly string[]): Promise<WriteMark>
}
