/**
 * Typed CRUD over one tenant table, every statement limited to the session's
 * organization. Subclasses supply a `RepositoryDefinition` (whitelists of
 * writable columns, filters and sorts) and add their own queries.
 *
 * ```ts
 * const doc = await documents.findById(123)             // NotFoundError if absent or another org's
 * const page = await documents.findMany({ status: 'published' }, { limit: 20 })
 * const next = await documents.findMany({ status: 'published' }, { cursor: page.nextCursor! })
 * await documents.update(123, { title: 'Updated' }, { expectedVersion: 3 }) // ConflictError if it moved on
 * ```
 */
import { type AliasedExpression, type QueryResult, sql } from 'kysely'
import type { CacheManager } from '../cache/cache-manager.ts'
import type { CacheOutcome } from '../cache/stats.ts'
import type { Statement } from '../db/transport.ts'
import {
  ConflictError,
  IdempotencyKeyReusedError,
  NotFoundError,
  RepositoryError,
  TransientError,
  ValidationError,
} from '../errors.ts'
import type { TenantRepositories } from '../factory/tenant-repositories.ts'
import { instrument, METRICS_TARGET, type Measurable } from '../metrics/instrument.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { OneStatement, TenantSession, TransactionOptions, UnitHooks } from '../session/tenant-session.ts'
import type { Permission } from '../tenancy/scope.ts'
import { cachedRead } from './cached-read.ts'
import type { CursorCodec } from './cursor.ts'
import {
  type AnyChain,
  type AnyDb,
  type AnySelect,
  type ListOptions,
  MAX_BATCH,
  type Page,
  type RepositoryDefinition,
} from './definition.ts'
import { filterConditions } from './filters.ts'
import {
  type IdempotencyRequest,
  isKeyInUse,
  releaseExpiredKey,
  rememberResult,
  rowFromStored,
  storedResult,
  validIdempotencyKey,
} from './idempotency.ts'
import { runOperation } from './operation.ts'
import { keysetPage } from './pagination.ts'
import { insertChain, selectChanged, updateChain } from './write-statements.ts'

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

export interface UpdateOptions {
  /** The version the caller read; the update fails with ConflictError if the row has moved on. */
  expectedVersion?: number
}

/** Read options; `include` names relations to load in the same query (repositories that have any). */
export interface ReadOptions<Include extends string> {
  include?: readonly Include[]
  /** This call's cache TTL instead of its query type's. */
  cacheTtlMs?: number
}

export class BaseRepository<
  Row extends { id: number },
  New,
  Patch,
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

  /** Inserts one row: one statement, one round trip (with the cache's invalidation after it). */
  create(input: New): Promise<Row> {
    return this.writeOne(
      'create',
      'write',
      (db) => this.createStatement(db, [input]).selectFrom('created').selectAll(),
      ({ rows }, hooks) => {
        const created = this.toRow(first(rows))
        hooks.invalidate(this.writeTags('create', [created]))
        return created
      },
    )
  }

  /**
   * Inserts one row at most once per idempotency key, in the same round trip:
   * the key and the row commit together. A repeat of the same request — also
   * one sent while the first is still running — gets the first one's row back
   * with `replayed: true`; the same key with another request is an
   * `IdempotencyKeyReusedError`. A replay costs a second round trip. Inside a
   * transaction it runs in a savepoint, so a repeat leaves the transaction usable.
   */
  async createOnce(request: IdempotencyRequest, input: New): Promise<{ row: Row; replayed: boolean }> {
    validIdempotencyKey(request.key)
    try {
      const row = await this.session.guarded(() =>
        this.writeOne(
          'createOnce',
          'write',
          (db) =>
            rememberResult(this.createStatement(db, [input]), 'created', this.orgId, request)
              .selectFrom('created')
              .selectAll(),
          ({ rows }, hooks) => {
            const created = this.toRow(first(rows))
            hooks.invalidate(this.writeTags('create', [created]))
            return created
          },
          [releaseExpiredKey(this.orgId, request.key)],
        ),
      )
      return { row, replayed: false }
    } catch (error) {
      if (!isKeyInUse(error)) throw error
      return { row: await this.replay(request), replayed: true }
    }
  }

  /** Inserts up to 100 rows in one statement; all or none. */
  async createMany(inputs: readonly New[]): Promise<Row[]> {
    if (Array.isArray(inputs) && inputs.length === 0) return []
    return this.writeOne(
      'createMany',
      'write',
      (db) => {
        if (!Array.isArray(inputs) || inputs.length > MAX_BATCH) {
          throw new ValidationError(`createMany takes an array of at most ${MAX_BATCH} rows`)
        }
        return this.createStatement(db, inputs).selectFrom('created').selectAll()
      },
      ({ rows }, hooks) => {
        const created = rows.map((row) => this.toRow(row))
        hooks.invalidate(this.writeTags('create', created))
        return created
      },
    )
  }

  /**
   * Changes the writable columns in `patch`. On a versioned table the version
   * rises by one; with `expectedVersion` the update happens only if the row is
   * still at that version, else ConflictError (NotFoundError if it is gone).
   * One statement: whether the row exists is read in the same one.
   */
  update(id: number, patch: Patch, options: UpdateOptions = {}): Promise<Row> {
    return this.writeOne(
      'update',
      'write',
      (db) => {
        const values = this.writableValues(patch, 'update')
        if (Object.keys(values).length === 0) throw new ValidationError('an update needs at least one field')
        return this.changedStatement(this.updateStatement(db, this.validId(id), values, options), id)
      },
      ({ rows }, hooks) => {
        const updated = this.changedRow(first(rows), id, options)
        hooks.invalidate(this.writeTags('update', [updated]))
        return updated
      },
    )
  }

  delete(id: number): Promise<void> {
    return this.writeOne(
      'delete',
      'delete',
      (db) =>
        db
          .deleteFrom(this.definition.table)
          .where('organizationId', '=', this.orgId)
          .where('id', '=', this.validId(id))
          .returningAll(),
      ({ rows }, hooks) => {
        if (!rows[0]) throw this.notFound(id)
        hooks.invalidate(this.writeTags('delete', [this.toRow(rows[0])]))
      },
    )
  }

  // --- for subclasses -------------------------------------------------------

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

  /** Tags a write makes obsolete; subclasses add what else their rows appear in. */
  protected writeTags(action: 'create' | 'update' | 'delete', rows: readonly Row[]): string[] {
    const name = this.definition.name
    const own = action === 'create' ? [] : rows.map((row) => `${name}:${row.id}`)
    return [...own, `${name}:list`]
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

  /**
   * The chain of CTEs that inserts `inputs`; its CTE `created` holds the rows
   * `create` returns. Subclasses add what else a create writes (CTEs reading
   * `created`), keeping that name for the rows to return.
   */
  protected createStatement(db: AnyDb, inputs: readonly New[]): AnyChain {
    return insertChain(
      db,
      this.definition.table,
      inputs.map((input) => this.insertable(input)),
    )
  }

  /** The chain whose CTE `changed` updates the row (no rows when it is gone or has moved on). */
  protected updateStatement(db: AnyDb, id: number, values: Record<string, unknown>, options: UpdateOptions): AnyChain {
    return updateChain(db, this.definition, this.orgId, id, values, options.expectedVersion)
  }

  /** Ends an update chain (CTE `changed`) with the select `changedRow` reads; `columns` are returned beside the row. */
  protected changedStatement(
    chain: AnyChain,
    id: number,
    // biome-ignore lint/suspicious/noExplicitAny: the columns of the calling repository's chain
    columns: (eb: any) => AliasedExpression<unknown, string>[] = () => [],
  ): OneStatement {
    return selectChanged(chain, this.definition.table, this.orgId, id, columns)
  }

  /** The changed row, or why there is none: Conflict when it moved on, NotFound when it is gone. */
  protected changedRow(row: Record<string, unknown>, id: number, options: UpdateOptions): Row {
    const { rowExists, ...changed } = row
    if (changed.id !== null && changed.id !== undefined) return this.toRow(changed)
    if (rowExists && options.expectedVersion !== undefined) {
      throw new ConflictError(
        `${this.definition.name} ${id} is no longer at version ${options.expectedVersion}`,
        'version',
      )
    }
    throw this.notFound(id)
  }

  /** The row a key's first request created; IdempotencyKeyReusedError when the key came with another request. */
  protected async replay(request: IdempotencyRequest): Promise<Row> {
    const stored = await this.operate('createOnce', 'read', (db) => storedResult(db, this.orgId, request.key))
    if (!stored) throw new TransientError('the idempotency key changed while it was read; retry', {})
    if (stored.requestHash !== request.requestHash) {
      throw new IdempotencyKeyReusedError('this Idempotency-Key was used with a different request', {
        repository: this.definition.name,
        operation: 'createOnce',
      })
    }
    return this.toRow(rowFromStored(stored.rows[0] as Record<string, unknown>, this.definition.timestamps))
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

  /** The input's writable columns, refusing anything else (the organization above all). */
  protected writableValues(input: unknown, action: 'create' | 'update'): Record<string, unknown> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ValidationError(`${action} needs an object of fields`)
    }
    const values: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(input)) {
      if (value === undefined) continue
      if (!this.definition.writable.includes(field)) {
        throw new ValidationError(`${this.definition.name} cannot ${action} the field "${field}"`)
      }
      values[field] = value
    }
    return values
  }

  private insertable(input: New): Record<string, unknown> {
    return { ...this.writableValues(input, 'create'), organizationId: this.orgId }
  }
}

// Every public operation records its count, duration and errors (see metrics/instrument.ts).
instrument(BaseRepository, [
  'findById',
  'findMany',
  'count',
  'exists',
  'create',
  'createOnce',
  'createMany',
  'update',
  'delete',
])

/** The one row a statement that must return one returned. */
function first(rows: Record<string, unknown>[]): Record<string, unknown> {
  const row = rows[0]
  if (!row) throw new RepositoryError('the statement returned no row')
  return row
}
