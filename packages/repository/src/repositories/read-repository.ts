/**
 * Reads over one tenant table of your schema, every statement limited to the
 * session's organization, the cached ones declared as data
 * (`declared-reads.ts`); and the machinery every repository operation runs
 * on (`operate`, `writeOne`). `BaseRepository` adds the writes; a repository
 * that only reads can extend this one.
 *
 * ```ts
 * const task = await tasks.findById(123) // NotFoundError if absent or another org's
 * const next = await tasks.findMany({}, { limit: 20, cursor: page.nextCursor! })
 * ```
 */
import { type Kysely, type QueryResult, sql } from 'kysely'
import type { Statement } from '../db/transport.ts'
import { NotFoundError, ValidationError } from '../errors.ts'
import { instrument, METRICS_TARGET, type Measurable } from '../metrics/instrument.ts'
import type { OneStatement, TransactionOptions, UnitHooks } from '../session/session-types.ts'
import type { TenantSession } from '../session/tenant-session.ts'
import type { Permission } from '../tenancy/scope.ts'
import type { CursorCodec } from './cursor.ts'
import { canonicalInclude, type DeclaredRead, declaredRead, type ReadDeclaration } from './declared-reads.ts'
import {
  type ListOptions,
  type Page,
  pageOf,
  type ReadOptions,
  type RepositoryDefinition,
  type ResolvedDefinition,
  type RowOf,
  resolveDefinition,
  type TenantTable,
} from './definition.ts'
import { filterConditions } from './filters.ts'
import { runOperation } from './operation.ts'
import { keysetPage } from './pagination.ts'
import type { RepositoryContext } from './repository-context.ts'
import { type TableDb, type TableSelect, tableDb } from './table-db.ts'
import type { TableTags } from './tags.ts'

export type { ReadOptions } from './definition.ts'

export class ReadRepository<
  DB,
  Table extends TenantTable<DB>,
  Row extends RowOf<DB, Table>,
  Filter extends object = Record<never, never>,
  Sort extends string = string,
  Include extends string = never,
> implements Measurable
{
  protected readonly session: TenantSession<DB>
  protected readonly cursors: CursorCodec
  protected readonly definition: ResolvedDefinition<Table, Sort>
  /** This table's cache tags: what its reads depend on and its writes bump. */
  protected readonly tags: TableTags
  readonly #context: RepositoryContext<DB>
  readonly #reads = new Map<string, (params: unknown) => Promise<unknown>>()
  readonly [METRICS_TARGET]: Measurable[typeof METRICS_TARGET]

  constructor(context: RepositoryContext<DB>, definition: RepositoryDefinition<DB, Table, Filter, Sort>) {
    this.session = context.session
    this.cursors = context.cursors
    this.definition = resolveDefinition(definition)
    this.tags = this.definition.tags
    this.#context = context
    this[METRICS_TARGET] = { repository: this.definition.name, metrics: context.metrics }
  }

  /** Runs `work` in a transaction (a savepoint in one) with this repository bound to it; `repos.transaction` binds all. */
  transaction<T>(work: (tx: this) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const Repository = this.constructor as new (context: RepositoryContext<DB>) => this
    return this.#context.transaction((context) => work(new Repository(context)), options)
  }

  protected get orgId(): string {
    return this.session.scope.orgId
  }

  readonly #findById = this.cachedRead({
    name: 'findById',
    ttlMs: 60_000,
    tags: ({ id }: { id: number; include?: Include[] }) => [this.tags.row(id), this.tags.all],
    load: async (db, { id, include }) => {
      const row = await this.selectRows(tableDb(db), include ?? [])
        .where(this.column('id'), '=', this.validId(id))
        .executeTakeFirst()
      if (!row) throw this.notFound(id)
      return this.toRow(row)
    },
  })

  readonly #findMany = this.cachedRead({
    name: 'findMany',
    ttlMs: 30_000,
    tags: (_: { filter: Filter } & ListOptions<Sort> & { include?: Include[] }) => [this.tags.list, this.tags.all],
    load: (db, { filter, include, ...options }) =>
      this.page(tableDb(db), this.selectRows(tableDb(db), include ?? []), filter, options),
  })

  /** The row with this id in the organization; NotFoundError otherwise. */
  findById(id: number, options: ReadOptions<Include> = {}): Promise<Row> {
    return this.#findById({ id, include: canonicalInclude(options.include) }, options)
  }

  /** One page of rows matching `filter`, in a whitelisted order, with a cursor to the next. */
  findMany(filter: Filter = {} as Filter, options: ListOptions<Sort> & ReadOptions<Include> = {}): Promise<Page<Row>> {
    return this.#findMany({ filter, ...pageOf(options), include: canonicalInclude(options.include) }, options)
  }

  count(filter: Filter = {} as Filter): Promise<number> {
    return this.operate('count', 'read', async (db) => {
      const { count } = await this.scoped(tableDb(db))
        .where((eb) =>
          eb.and(filterConditions(eb, this.tableName, this.definition.filters, filter as Record<string, unknown>)),
        )
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow()
      return Number(count)
    })
  }

  exists(id: number): Promise<boolean> {
    return this.operate('exists', 'read', async (db) => {
      const row = await this.scoped(tableDb(db))
        .where(this.column('id'), '=', this.validId(id))
        .select(sql`1`.as('one'))
        .executeTakeFirst()
      return row !== undefined
    })
  }

  /**
   * Declares a cached read (see `declared-reads.ts`) and returns it, to be
   * called with its parameters. Its calls are measured as the operation
   * `name`, and the warm job can replay it by that name.
   */
  protected cachedRead<Params extends object, Result>(
    declaration: ReadDeclaration<DB, Params, Result>,
  ): DeclaredRead<Params, Result> {
    const read = declaredRead(declaration, {
      // fields declare reads before the constructor body has run: scope and name are read at each call
      scope: () => this.#context,
      repository: () => this.definition.name,
      operate: (operation, work) => this.operate(operation, 'read', (db) => work(db)),
    })
    // a second read of one name would answer with the first's entries
    if (this.#reads.has(declaration.name)) throw new TypeError(`${declaration.name} is declared twice`)
    // replayed params are a hot-key record's; the loader validates them as it does a caller's
    this.#reads.set(declaration.name, (params) => read(params as Params))
    return read
  }

  /** Runs the declared read `name` with recorded `params` (the warm job's replay); undefined if there is none. */
  replayRead(name: string, params: unknown): Promise<unknown> | undefined {
    return this.#reads.get(name)?.(params ?? {})
  }

  /**
   * Runs one operation (see `operation.ts`): a read as one round trip with
   * the tenant's settings; write work in a transaction of its own (one
   * statement belongs in `writeOne`); inside a transaction, there.
   * `hooks.invalidate(tags)` marks cached entries obsolete once it commits.
   */
  protected operate<T>(
    operation: string,
    permission: Permission,
    work: (db: Kysely<DB>, hooks: UnitHooks) => Promise<T>,
    prelude: readonly Statement[] = [],
  ): Promise<T> {
    const mode = permission === 'read' ? 'read' : 'write'
    return runOperation(this.session, this.#name(operation), permission, (watch) =>
      this.session.run(mode, (db, hooks) => work(watch(db), hooks), prelude),
    )
  }

  /**
   * Runs one write statement, built by `statement` and run exactly once —
   * outside a transaction with the tenant's settings and `prelude`, in one
   * round trip — and `finish` turns its result into the answer and marks the
   * tags it made obsolete. A ValidationError thrown while building costs nothing.
   */
  protected writeOne<T>(
    operation: string,
    permission: Permission,
    statement: (db: Kysely<DB>) => OneStatement,
    finish: (result: QueryResult<Record<string, unknown>>, hooks: UnitHooks) => T,
    prelude: readonly Statement[] = [],
  ): Promise<T> {
    return runOperation(this.session, this.#name(operation), permission, (watch) =>
      this.session.runOne(statement, finish, { prelude, watch }),
    )
  }

  /** Rows of this organization, in this table. */
  protected scoped(db: TableDb): TableSelect {
    return db.selectFrom(this.tableName).where(this.column('organizationId'), '=', this.orgId)
  }

  /** The table's name, as the generic statements take it. */
  protected get tableName(): string {
    return this.definition.table
  }

  /** What a read returns for each row; subclasses add the relations in `include` here, as subqueries. */
  protected selectRows(db: TableDb, include: readonly Include[]): TableSelect {
    if (include.length > 0) throw new ValidationError(`${this.definition.name} has no relations to include`)
    return this.scoped(db).selectAll(this.tableName)
  }

  /** Turns a database row into the public row (subclasses parse eager-loaded JSON here). */
  protected toRow(row: Record<string, unknown>): Row {
    return row as Row // the row of this table, as `selectRows` selected it
  }

  protected column(name: string): string {
    return `${this.tableName}.${name}`
  }

  /** One keyset page of `query` (see `pagination.ts`), within the definition's byte budget. */
  protected page(db: TableDb, query: TableSelect, filter: Filter, options: ListOptions<Sort>): Promise<Page<Row>> {
    return keysetPage({
      db,
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

  #name(operation: string) {
    return { repository: this.definition.name, operation }
  }
}

// Every other public operation records its count, duration and errors (see metrics/instrument.ts).
instrument(ReadRepository, ['count', 'exists'])
