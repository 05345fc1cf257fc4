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
import type { Kysely } from 'kysely'
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
import type { TenantSession, TransactionOptions } from '../session/tenant-session.ts'
import type { AfterCommitAction } from '../session/transaction-frame.ts'
import { assertCan, type TenantScope } from '../tenancy/scope.ts'
import {
  claimKey,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyOptions,
  type StoredResponse,
  storeResponse,
  validIdempotencyKey,
} from './idempotency.ts'

/** What a request scope shares with the transactions it opens. */
export interface ScopeServices {
  cursors: CursorCodec
  cache?: CacheManager
  outcomes: CacheOutcome[]
  metrics: InvocationMetrics
  waitUntil?: (work: Promise<unknown>) => void
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
      ...services,
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
   * Raw Kysely access for queries the repositories do not offer. Inside a
   * transaction it is that transaction, with the tenant's row-level security.
   */
  get db(): Kysely<DB> {
    return this.#session.db
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

  /**
   * Runs `work` in a transaction at most once per `key` (an `Idempotency-Key`):
   * the key and the response are stored with the work's writes. A repeat of the
   * same request (same `requestHash`) gets the stored response with
   * `replayed: true`, also when it arrives while the first is still running;
   * the same key with another request is an `IdempotencyKeyReusedError`.
   */
  async once(
    key: string,
    requestHash: string,
    work: (tx: TenantRepositories) => Promise<StoredResponse>,
    options: IdempotencyOptions = {},
  ): Promise<{ response: StoredResponse; replayed: boolean }> {
    assertCan(this.scope, 'write', { repository: 'idempotency', operation: 'once' })
    validIdempotencyKey(key)
    const { orgId } = this.scope
    const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS
    return this.transaction(async (tx) => {
      const stored = await tx.#session.run('write', (db) => claimKey(db, orgId, key, requestHash, ttlMs))
      if (stored) return { response: stored, replayed: true }
      const response = await work(tx)
      await storeResponse(tx.#session.db, orgId, key, response)
      return { response, replayed: false }
    })
  }

  /** Runs `action` once after the outermost COMMIT; dropped if that transaction or the current savepoint rolls back. */
  afterCommit(action: AfterCommitAction): void {
    this.#session.afterCommit(action)
  }

  /**
   * Ends the request scope: waits for the cache's background work (a refresh
   * or deferred store may still need the database), then releases what the
   * scope holds — on Workers its database — and flushes its metrics unless an
   * invocation was passed in. On Workers pass the promise to `ctx.waitUntil`.
   */
  async dispose(): Promise<void> {
    await this.#services.cache?.idle()
    await this.#release()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }
}
