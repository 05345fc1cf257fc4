/**
 * The repositories of one tenant, bound to one session: outside a
 * transaction, or inside the one `transaction()` opened. Each repository
 * class the factory was given is a property of the same name.
 *
 * ```ts
 * const project = await repos.transaction(async (tx) => {
 *   const p = await tx.projects.create({ name: 'Launch' })
 *   await tx.tasks.create({ projectId: p.id, title: 'Write the README' })
 *   tx.afterCommit(() => console.log('committed', p.id))
 *   return p
 * })
 * ```
 */
import type { Kysely, QueryResult } from 'kysely'
import type { CacheAnswer, CacheOutcome } from '../cache/port.ts'
import { formatToken } from '../consistency-token.ts'
import { isDatabaseError, toRepositoryError } from '../error-mapping.ts'
import { METRICS_TARGET } from '../metrics/instrument.ts'
import type { RepositoryContext } from '../repositories/repository-context.ts'
import type { Tag } from '../repositories/tags.ts'
import type { OneStatement, TransactionOptions } from '../session/session-types.ts'
import type { TenantSession } from '../session/tenant-session.ts'
import type { AfterCommitAction } from '../session/transaction-frame.ts'
import { assertCan, type TenantScope } from '../tenancy/scope.ts'
import { LazyRepositories, scopeTarget } from './lazy-scope.ts'
import {
  assertDistinctCacheNames,
  distinctNamesChecked,
  type RecordedRead,
  type RepositoryClasses,
  type RepositoryScope,
  type ScopeServices,
} from './repository-classes.ts'

export class TenantRepositories<DB, Classes extends RepositoryClasses<DB>> {
  readonly #session: TenantSession<DB>
  readonly #services: ScopeServices
  readonly #classes: Classes
  readonly #context: RepositoryContext<DB>
  readonly #release: () => Promise<void>
  /** The scope's repositories, each built on first use (`lazy-scope.ts`). */
  readonly #repositories: LazyRepositories<DB>

  /** A scope with its repositories: `release` ends what it holds (its database on Workers, its own metrics). */
  static open<DB, Classes extends RepositoryClasses<DB>>(
    session: TenantSession<DB>,
    services: ScopeServices,
    classes: Classes,
    release: () => Promise<void> = async () => {},
  ): RepositoryScope<DB, Classes> {
    const target = scopeTarget(classes, TenantRepositories.prototype, TenantRepositories.#build)
    const scope: TenantRepositories<DB, Classes> = Reflect.construct(
      TenantRepositories,
      [session, services, classes, release],
      target,
    )
    if (!distinctNamesChecked(classes)) assertDistinctCacheNames(scope.#repositories.readers(), classes)
    return scope as RepositoryScope<DB, Classes>
  }

  static #build<D, C extends RepositoryClasses<D>>(scope: TenantRepositories<D, C>, name: string): object {
    return scope.#repositories.get(name)
  }

  private constructor(
    session: TenantSession<DB>,
    services: ScopeServices,
    classes: Classes,
    release: () => Promise<void>,
  ) {
    this.#session = session
    this.#services = services
    this.#classes = classes
    this.#release = release
    this.#context = {
      session,
      cursors: services.cursors,
      answers: services.answers,
      metrics: services.metrics,
      waitUntil: services.background.add,
      ...(services.cache && { cache: services.cache }),
      ...(services.warming && { warming: services.warming }),
      ...(services.after !== undefined && { after: services.after }),
      ...(services.consistency && { consistency: services.consistency }),
      transaction: (work, options) => this.transaction((tx) => work(tx.#context), options),
    }
    this.#repositories = new LazyRepositories(classes, this.#context)
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
  custom<Repository>(RepositoryClass: new (context: RepositoryContext<DB>) => Repository): Repository {
    return new RepositoryClass(this.#context)
  }

  get scope(): TenantScope {
    return this.#session.scope
  }

  /**
   * The token of the last write this scope committed (undefined before one):
   * send it with later reads, from any isolate, to see that write
   * (`consistency-token.ts`). The HTTP layer answers it as `Consistency-Token`.
   */
  get consistencyToken(): string | undefined {
    const mark = this.#services.written.mark
    return mark === undefined ? undefined : formatToken(this.scope.orgId, mark)
  }

  /**
   * How each cached read of this request scope was answered, in order
   * (`memory-hit`, `redis-hit`, `miss`, `stale`, `bypass`): the HTTP layer's
   * `Cache-Status`.
   */
  get cacheOutcomes(): readonly CacheOutcome[] {
    return this.#services.answers.map((answer) => answer.outcome)
  }

  /** The same reads with their age, remaining freshness and how they were served: `Age` and `Cache-Status`. */
  get cacheAnswers(): readonly CacheAnswer[] {
    return this.#services.answers
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
   * const { rows } = await repos.read((db) => sql`select count(*) as n from projects`.execute(db))
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
   * statements belong in `transaction`. `tags` are the cache tags it makes
   * obsolete, bumped after it commits.
   *
   * ```ts
   * await repos.write((db) => db.updateTable('tasks').set({ done: true }), { tags: [taskTags.list] })
   * ```
   */
  write(
    statement: (db: Kysely<DB>) => OneStatement,
    options: { tags?: readonly Tag[] } = {},
  ): Promise<QueryResult<Record<string, unknown>>> {
    return this.#guard('write', () =>
      this.#session.runOne(statement, (result, hooks) => {
        if (options.tags?.length) hooks.invalidate(options.tags)
        return result
      }),
    )
  }

  /**
   * Runs `work` with repositories bound to one transaction. Throwing rolls it
   * back; a nested call is a savepoint (its failure leaves the outer alive).
   * The outermost call is retried on serialization failure and deadlock, so
   * `work` may run more than once: put side effects in `afterCommit`. The
   * cache tags of all its writes go out as one invalidation after COMMIT.
   */
  async transaction<T>(
    work: (tx: RepositoryScope<DB, Classes>) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    try {
      return await this.#session.transaction(
        (session) => work(TenantRepositories.open(session, this.#services, this.#classes)),
        options,
      )
    } catch (error) {
      // The caller's own errors pass through untouched; the database's become repository errors.
      throw isDatabaseError(error) ? toRepositoryError(error, { operation: 'transaction' }) : error
    }
  }

  /**
   * Re-runs a remembered cached read in this scope (the warm job's replay):
   * undefined when `read` names no repository of this scope or no cached read of it.
   */
  replay(read: RecordedRead): Promise<unknown> | undefined {
    const repository = this.#repositories
      .readers()
      .find((reader) => reader[METRICS_TARGET].repository === read.repository)
    return repository?.replayRead(read.operation, read.params)
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
   * awaiting it; on Lambda await it before the handler returns. `await using`
   * calls it for you.
   */
  async dispose(): Promise<void> {
    await this.#services.background.settled()
    await this.#release()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }
}
