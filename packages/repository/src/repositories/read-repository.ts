/**
 * Reads over one tenant table, every statement limited to the session's
 * organization, through the request scope's cache; and the machinery every
 * repository operation runs on (`operate`, `writeOne`). `BaseRepository`
 * adds the writes; a repository that only reads can extend this one.
 *
 * ```ts
 * const doc = await documents.findById(123)             // NotFoundError if absent or another org's
 * const page = await documents.findMany({ status: 'published' }, { limit: 20 })
 * const next = await documents.findMany({ status: 'published' }, { cursor: page.nextCursor! })
 * ```
 */
import { type QueryResult, sql } from 'kysely'
import type { CacheManager } from '../cache/cache-manager.ts'
import type { CacheOutcome } from '../cache/stats.ts'
import type { Statement } from '../db/transport.ts'
import { NotFoundError, ValidationError } from '../errors.ts'
import type { TenantRepositories } from '../factory/tenant-repositories.ts'
import { instrument, METRICS_TARGET, type Measurable } from '../metrics/instrument.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { OneStatement, TenantSession, TransactionOptions, UnitHooks } from '../session/tenant-session.ts'
import type { Permission } from '../tenancy/scope.ts'
import { cachedRead } from './cached-read.ts'
import type { CursorCodec } from './cursor.ts'
import type { AnyDb, AnySelect, ListOptions, Page, RepositoryDefinition } from './definition.ts'
import { filterConditions } from './filters.ts'
import { runOperation } from './operation.ts'
import { keysetPage } from './pagination.ts'

export type WarmOutcome = 'warmed' | 'skipped' | 'unavailable'

export type { AnyChain, AnyDb, AnySelect } from './definition.ts'

export interface RepositoryContext {
  session: TenantSession
  cursors: CursorCodec
  /** The isolate's cache; reads go through it outside transactions, writes invalidate it after COMMIT. */
  cache?: CacheManager
  /** Where this request scope records how each read was answered (for `Cache-Status`). */
  outcomes: CacheOutcome[]
  /** The request's `waitUntil`, keeping the cache's background work alive on Workers. */
  waitUntil?: (work: Promise<unknown>) => void
  /** The invocation's metrics: every instrumented method records into them. */
  metrics: InvocationMetrics
  /**
   * Set by the warm job: cached reads refresh their entry in every tier instead
   * of reading it (`CacheManager.warm`) and report how each went.
   */
  warming?: (outcome: WarmOutcome) => void
  /** Opens a transaction with every repository bound to it (`TenantRepositories.transaction`). */
  transaction<T>(work: (tx: TenantRepositories) => Promise<T>, options?: TransactionOptions): Promise<T>
}

/** Read options; `include` names relations to load in the same query (repositories that have any). */
export interface ReadOptions<Include extends string> {
  include?: readonly Include[]
  /** This call's cache TTL instead of its query type's. */
  cacheTtlMs?: number
}

export class ReadRepository<
  Row extends { id: number },
  Filter extends object,
  Sort extends string,
  Include extends string = never,
> implements Measurable
{
  protected readonly session: TenantSession
  protected readonly cursors: CursorCodec
  protected readonly definition: RepositoryDefinition
  readonly #context: RepositoryContext
  readonly [METRICS_TARGET]: Measurable[typeof METRICS_TARGET]

  constructor(context: RepositoryContext, definition: RepositoryDefinition) {
    this.session = context.session
    this.cursors = context.cursors
    this.definition = definition
    this.#context = context
    this[METRICS_TARGET] = { repository: definition.name, metrics: context.metrics }
  }

  /** Runs `work` in a transaction with all repositories bound to it; see `TenantRepositories.transaction`. */
  transaction<T>(work: (tx: TenantRepositories) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#context.transaction(work, options)
  }

  #name(operation: string) {
    return { repository: this.definition.name, operation }
  }

  protected get orgId(): string {
    return this.session.scope.orgId
  }

  /** The row with this id in the organization; NotFoundError otherwise. */
  findById(id: number, options: ReadOptions<Include> = {}): Promise<Row> {
    const params = { id, include: options.include }
    return this.cachedRead('findById', 'findById', params, this.rowTags(id), options, () =>
      this.operate('findById', 'read', async (db) => {
        const row = await this.selectRows(db, options.include ?? [])
          .where(this.column('id'), '=', this.validId(id))
          .executeTakeFirst()
        if (!row) throw this.notFound(id)
        return this.toRow(row)
      }),
    )
  }

  /** One page of rows matching `filter`, in a whitelisted order, with a cursor to the next. */
  findMany(filter: Filter = {} as Filter, options: ListOptions<Sort> & ReadOptions<Include> = {}): Promise<Page<Row>> {
    const { cacheTtlMs: _, ...params } = options
    return this.cachedRead('findMany', 'findMany', { filter, ...params }, this.listTags(), options, () =>
      this.operate('findMany', 'read', (db) => this.page(this.selectRows(db, options.include ?? []), filter, options)),
    )
  }

  count(filter: Filter = {} as Filter): Promise<number> {
    return this.operate('count', 'read', async (db) => {
      const { count } = await this.scoped(db)
        .where((eb) => eb.and(filterConditions(eb, this.definition.filters, filter as Record<string, unknown>)))
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow()
      return Number(count)
    })
  }

  exists(id: number): Promise<boolean> {
    return this.operate('exists', 'read', async (db) => {
      const row = await this.scoped(db)
        .where(this.column('id'), '=', this.validId(id))
        .select(sql`1`.as('one'))
        .executeTakeFirst()
      return row !== undefined
    })
  }

  /**
   * Reads through the cache outside transactions (inside one, the database
   * answers: the transaction may see its own uncommitted writes), and records
   * how the read was answered in the request scope's outcomes (`cached-read.ts`).
   */
  protected cachedRead<T>(
    operation: string,
    queryType: string,
    params: unknown,
    tags: readonly string[],
    options: { cacheTtlMs?: number },
    load: () => Promise<T>,
  ): Promise<T> {
    return cachedRead(this.#context, {
      repository: this.definition.name,
      operation,
      queryType,
      params,
      tags,
      ...(options.cacheTtlMs !== undefined && { ttlMs: options.cacheTtlMs }),
      load,
    })
  }

  /** Tags a cached row depends on: itself, and anything that changes many rows at once. */
  protected rowTags(id: number): string[] {
    return [`${this.definition.name}:${id}`, `${this.definition.name}:*`]
  }

  /** Tags a cached list depends on. */
  protected listTags(): string[] {
    return [`${this.definition.name}:list`, `${this.definition.name}:*`]
  }

  /**
   * Runs one operation (see `operation.ts`). Outside a transaction a read
   * sends each statement with the tenant's settings in one round trip, and
   * write work runs in a transaction of its own (BEGIN and the settings with
   * its first statement, COMMIT the last round trip); inside a transaction the
   * work runs there. A write of one statement belongs in `writeOne`, which
   * costs one round trip. `hooks.invalidate(tags)` marks cached entries
   * obsolete once the work has committed.
   */
  protected operate<T>(
    operation: string,
    permission: Permission,
    work: (db: AnyDb, hooks: UnitHooks) => Promise<T>,
    prelude: readonly Statement[] = [],
  ): Promise<T> {
    const mode = permission === 'read' ? 'read' : 'write'
    return runOperation(this.session, this.#name(operation), permission, (watch) =>
      this.session.run(mode, (db, hooks) => work(watch(db), hooks), prelude),
    )
  }

  /**
   * Runs one write statement: `statement` builds it (without running it), the
   * session runs it exactly once — outside a transaction with the tenant's
   * settings and `prelude`, as one transaction, in one round trip — and
   * `finish` turns the result into the answer, marking the cache tags the
   * write made obsolete. A ValidationError thrown while building costs nothing.
   */
  protected writeOne<T>(
    operation: string,
    permission: Permission,
    statement: (db: AnyDb) => OneStatement,
    finish: (result: QueryResult<Record<string, unknown>>, hooks: UnitHooks) => T,
    prelude: readonly Statement[] = [],
  ): Promise<T> {
    return runOperation(this.session, this.#name(operation), permission, (watch) =>
      this.session.runOne(statement, finish, { prelude, watch }),
    )
  }

  /** Rows of this organization, in this table. */
  protected scoped(db: AnyDb): AnySelect {
    return db.selectFrom(this.definition.table).where(this.column('organizationId'), '=', this.orgId)
  }

  /** What a read returns for each row; subclasses add the relations in `include` here, as subqueries. */
  protected selectRows(db: AnyDb, include: readonly Include[]): AnySelect {
    if (include.length > 0) throw new ValidationError(`${this.definition.name} has no relations to include`)
    return this.scoped(db).selectAll(this.definition.table)
  }

  /** Turns a database row into the public row (subclasses parse eager-loaded JSON here). */
  protected toRow(row: Record<string, unknown>): Row {
    return row as unknown as Row
  }

  protected column(name: string): string {
    return `${this.definition.table}.${name}`
  }

  /** One keyset page of `query` (see `pagination.ts`). */
  protected page(query: AnySelect, filter: Filter, options: ListOptions<Sort>): Promise<Page<Row>> {
    return keysetPage({
      query,
      definition: this.definition,
      orgId: this.orgId,
      filter,
      options,
      cursors: this.cursors,
      toRow: (row) => this.toRow(row),
    })
  }

  protected notFound(id: number): NotFoundError {
    return new NotFoundError(`${this.definition.name} ${id} not found`)
  }

  protected validId(id: number): number {
    if (!Number.isSafeInteger(id) || id < 1) throw new ValidationError('an id must be a positive integer')
    return id
  }
}

// Every public operation records its count, duration and errors (see metrics/instrument.ts).
instrument(ReadRepository, ['findById', 'findMany', 'count', 'exists'])
