/**
 * The repositories of one tenant, bound to one session: outside a
 * transaction, or inside the one `transaction()` opened.
 *
 * ```ts
 * const doc = await repos.transaction(async (tx) => {
 *   const d = await tx.documents.create({ title: 'With summary' })
 *   await tx.summaries.create({ documentId: d.id, text: '...' })
 *   tx.afterCommit(() => console.log('committed', d.id))
 *   return d
 * })
 * ```
 */
import type { Kysely, QueryResult } from 'kysely'
import type { BackgroundWork } from '../background-work.ts'
import type { CacheManager } from '../cache/cache-manager.ts'
import type { CacheOutcome } from '../cache/stats.ts'
import { isDatabaseError, toRepositoryError } from '../error-mapping.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { RepositoryContext, WarmOutcome } from '../repositories/base-repository.ts'
import type { CursorCodec } from '../repositories/cursor.ts'
import { DocumentRepository } from '../repositories/document-repository.ts'
import { SummaryRepository } from '../repositories/summary-repository.ts'
import { TopicRepository } from '../repositories/topic-repository.ts'
import type { DB } from '../schema/database.ts'
import type { OneStatement, TenantSession, TransactionOptions } from '../session/tenant-session.ts'
import type { AfterCommitAction } from '../session/transaction-frame.ts'
import { assertCan, type TenantScope } from '../tenancy/scope.ts'

/** What a request scope shares with the transactions it opens. */
export interface ScopeServices {
  cursors: CursorCodec
  cache?: CacheManager
  outcomes: CacheOutcome[]
  metrics: InvocationMetrics
  /** This scope's background work (deferred cache stores, hot-key records): `dispose` waits for it, and only it. */
  background: BackgroundWork
  warming?: (outcome: WarmOutcome) => void
}

export interface RepositoryMap {
  documents: DocumentRepository
  topics: TopicRepository
  summaries: SummaryRepository
}
export type RepositoryName = keyof RepositoryMap

export class TenantRepositories implements RepositoryMap {
  readonly documents: DocumentRepository
  readonly topics: TopicRepository
  readonly summaries: SummaryRepository
  readonly #session: TenantSession
  readonly #services: ScopeServices
  readonly #context: RepositoryContext
  readonly #release: () => Promise<void>

  /** `release` ends what the request scope holds (its database on Workers, its own metrics); see `dispose`. */
  constructor(session: TenantSession, services: ScopeServices, release: () => Promise<void> = async () => {}) {
    this.#session = session
    this.#services = services
    this.#release = release
    const context: RepositoryContext = {
      session,
      cursors: services.cursors,
      outcomes: services.outcomes,
      metrics: services.metrics,
      waitUntil: services.background.add,
      ...(services.cache && { cache: services.cache }),
      ...(services.warming && { warming: services.warming }),
      transaction: (work, options) => this.transaction(work, options),
    }
    this.#context = context
    this.documents = new DocumentRepository(context)
    this.topics = new TopicRepository(context)
    this.summaries = new SummaryRepository(context)
  }

  /**
   * A repository of your own, bound to this scope (inside `transaction`, to
   * that transaction) with the same cache, metrics and tenant:
   *
   * ```ts
   * class Reports extends BaseRepository<…> { monthly() { return this.operate('monthly', 'read', (db) => …) } }
   * instrument(Reports, ['monthly'])
   * const reports = repos.custom(Reports)
   * ```
   */
  custom<Repository>(RepositoryClass: new (context: RepositoryContext) => Repository): Repository {
    return new RepositoryClass(this.#context)
  }

  get scope(): TenantScope {
    return this.#session.scope
  }

  /**
   * How each cached read of this request scope was answered, in order
   * (`memory-hit`, `redis-hit`, `miss`, `stale`, `bypass`): the HTTP layer's
   * `Cache-Status`.
   */
  get cacheOutcomes(): readonly CacheOutcome[] {
    return this.#services.outcomes
  }

  /**
   * Raw Kysely access. Inside a transaction it is that transaction, with the
   * tenant's row-level security; outside one each statement runs on its own,
   * without the tenant's settings — for your own statements as this tenant,
   * use `read` and `write`.
   */
  get db(): Kysely<DB> {
    return this.#session.db
  }

  /**
   * Runs statements of your own as this tenant, the way repository reads run:
   * outside a transaction each statement travels with the tenant's settings
   * (row-level security applies) as one read-only transaction, in one round
   * trip; inside one, in it.
   *
   * ```ts
   * const { rows } = await repos.read((db) => sql`select count(*) as n from documents`.execute(db))
   * ```
   */
  read<T>(work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.#guard('read', () => this.#session.run('read', (db) => work(db)))
  }

  /**
   * Runs one statement of your own as this tenant, the way repository writes
   * run: `statement` builds it (a query builder, or `sql`…`.compile(db)`),
   * and it travels with the tenant's settings (and the organization's row
   * before its first write) as one transaction, in one round trip. Several
   * statements belong in `transaction`.
   *
   * ```ts
   * const { numAffectedRows } = await repos.write((db) => db.updateTable('documents').set({ status: 'archived' }))
   * ```
   */
  write(statement: (db: Kysely<DB>) => OneStatement): Promise<QueryResult<Record<string, unknown>>> {
    return this.#guard('write', () => this.#session.runOne(statement, (result) => result))
  }

  /** The repository with this name (the seed's `getRepository(Document)` style). */
  getRepository<Name extends RepositoryName>(name: Name): RepositoryMap[Name] {
    const repository = (this as RepositoryMap)[name]
    if (!repository) throw new TypeError(`no repository named ${String(name)}`)
    return repository
  }

  /**
   * Runs `work` with repositories bound to one transaction. Throwing rolls it
   * back; a nested call is a savepoint (its failure leaves the outer alive).
   * The outermost call is retried on serialization failure and deadlock, so
   * `work` may run more than once: put side effects in `afterCommit`.
   */
  async transaction<T>(work: (tx: TenantRepositories) => Promise<T>, options?: TransactionOptions): Promise<T> {
    try {
      return await this.#session.transaction(
        (session) => work(new TenantRepositories(session, this.#services)),
        options,
      )
    } catch (error) {
      // The caller's own errors pass through untouched; the database's become repository errors.
      throw isDatabaseError(error) ? toRepositoryError(error, { operation: 'transaction' }) : error
    }
  }

  /** Your own statements: the role checked, the database's errors made repository errors. */
  async #guard<T>(mode: 'read' | 'write', run: () => Promise<T>): Promise<T> {
    const context = { repository: 'tenant', operation: mode }
    assertCan(this.scope, mode, context)
    try {
      return await run()
    } catch (error) {
      throw isDatabaseError(error) ? toRepositoryError(error, context) : error
    }
  }

  /** Runs `action` once after the outermost COMMIT; dropped if that transaction or the current savepoint rolls back. */
  afterCommit(action: AfterCommitAction): void {
    this.#session.afterCommit(action)
  }

  /**
   * Ends the request scope: waits for the background work this scope started
   * (a refresh or deferred store may still need the database) — never for
   * another scope's — then releases what the scope holds (on Workers its
   * database) and flushes its metrics unless an invocation was passed in. Call
   * it after the response: on Workers in `ctx.waitUntil`, on Node without
   * awaiting it; on Lambda await it before the handler returns.
   */
  async dispose(): Promise<void> {
    await this.#services.background.settled()
    await this.#release()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }
}
