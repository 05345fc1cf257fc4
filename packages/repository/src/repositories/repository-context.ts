/** What a repository is built with: the scope's session, cursors, cache, metrics and transactions. */
import type { CacheAnswer, Consistency, ReadCache, WarmOutcome, WriteMark } from '../cache/port.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { TransactionOptions } from '../session/session-types.ts'
import type { TenantSession } from '../session/tenant-session.ts'
import type { CursorCodec } from './cursor.ts'

export interface RepositoryContext<DB> {
  session: TenantSession<DB>
  cursors: CursorCodec
  /** The isolate's cache; reads go through it outside transactions, writes invalidate it after COMMIT. */
  cache?: ReadCache
  /** Where this request scope records how each read was answered (for `Cache-Status`). */
  answers: CacheAnswer[]
  /** The request's `waitUntil`, keeping the cache's background work alive on Workers. */
  waitUntil?: (work: Promise<unknown>) => void
  /** The invocation's metrics: every instrumented method records into them. */
  metrics: InvocationMetrics
  /**
   * Set by the warm job: cached reads refresh their entry in every tier instead
   * of reading it and report how each went.
   */
  warming?: (outcome: WarmOutcome) => void
  /** The write mark the scope's reads must see (its consistency token). */
  after?: WriteMark
  /** The scope's consistency, for reads that do not say. */
  consistency?: Consistency
  /** Runs `work` in a transaction of the scope (a savepoint inside one), with a context bound to it. */
  transaction<T>(work: (context: RepositoryContext<DB>) => Promise<T>, options?: TransactionOptions): Promise<T>
}
