/**
 * What a caller asks the cache for, and what it gets back. Its own file so
 * every part of the cache (read path, lock, warm path) can name them without
 * importing the facade that assembles those parts; `cache-manager.ts`
 * re-exports both, where callers import them from.
 */
import type { CacheOutcome } from './stats.ts'

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
