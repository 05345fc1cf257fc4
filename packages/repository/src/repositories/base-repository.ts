/**
 * Typed CRUD over one tenant table: the reads of `ReadRepository`, and
 * writes of one statement each — one round trip, committed with the tenant's
 * settings — that mark the cache tags they make obsolete. Subclasses supply a
 * `RepositoryDefinition` (whitelists of writable columns, filters and sorts)
 * and add their own queries.
 *
 * ```ts
 * const created = await tasks.create({ projectId: 1, title: 'Write the README' })
 * await tasks.update(created.id, { done: true })
 * const { row, replayed } = await tasks.createOnce({ key, requestHash }, { projectId: 1, title: 'At most once' })
 * ```
 */
import type { Insertable, Kysely } from 'kysely'
import { ConflictError, IdempotencyKeyReusedError, TransientError, ValidationError } from '../errors.ts'
import { instrument } from '../metrics/instrument.ts'
import type { OneStatement, UnitHooks } from '../session/session-types.ts'
import { assertCan } from '../tenancy/scope.ts'
import { MAX_BATCH, type RowOf, type TenantTable } from './definition.ts'
import {
  type IdempotencyRequest,
  isKeyInUse,
  releaseExpiredKey,
  rememberResult,
  rowFromStored,
  storedResult,
  validIdempotencyKey,
} from './idempotency.ts'
import { ReadRepository } from './read-repository.ts'
import { type TableChain, type TableDb, tableDb } from './table-db.ts'
import type { Tag } from './tags.ts'
import {
  type ExtraColumns,
  first,
  insertChain,
  selectChanged,
  type UpdateOptions,
  updateChain,
  type WriteAction,
  writableValues,
} from './write-statements.ts'

export type { UpdateOptions, WriteAction } from './write-statements.ts'

export class BaseRepository<
  DB,
  Table extends TenantTable<DB>,
  Row extends RowOf<DB, Table>,
  New extends Partial<Insertable<DB[Table]>>,
  Patch = Partial<New>,
  Filter extends object = Record<never, never>,
  Sort extends string = string,
  Include extends string = never,
> extends ReadRepository<DB, Table, Row, Filter, Sort, Include> {
  /** Inserts one row: one statement, one round trip (with the cache's invalidation after it). */
  create(input: New): Promise<Row> {
    return this.writeOne(
      'create',
      'write',
      (db) => this.createStatement(tableDb(db), [input]).selectFrom('created').selectAll(),
      ({ rows }, hooks) => this.#created(first(rows), hooks),
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
            rememberResult(this.createStatement(tableDb(db), [input]), 'created', this.orgId, request)
              .selectFrom('created')
              .selectAll(),
          ({ rows }, hooks) => this.#created(first(rows), hooks),
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
    if (Array.isArray(inputs) && inputs.length === 0) {
      assertCan(this.session.scope, 'write', { repository: this.definition.name, operation: 'createMany' })
      return []
    }
    return this.writeOne(
      'createMany',
      'write',
      (db) => {
        if (!Array.isArray(inputs) || inputs.length > MAX_BATCH) {
          throw new ValidationError(`createMany takes an array of at most ${MAX_BATCH} rows`)
        }
        return this.createStatement(tableDb(db), inputs).selectFrom('created').selectAll()
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
      (db) => this.updateOne(tableDb(db), id, patch, options),
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
        tableDb(db)
          .deleteFrom(this.tableName)
          .where('organizationId', '=', this.orgId)
          .where('id', '=', this.validId(id))
          .returningAll(),
      ({ rows }, hooks) => {
        if (!rows[0]) throw this.notFound(id)
        hooks.invalidate(this.writeTags('delete', [this.toRow(rows[0])]))
      },
    )
  }

  /** Tags a write makes obsolete (its rows, the lists); subclasses add what else their rows appear in. */
  protected writeTags(action: WriteAction, rows: readonly Row[]): Tag[] {
    const own = action === 'create' ? [] : rows.map((row) => this.tags.row(row.id))
    return [...own, this.tags.list]
  }

  /**
   * The chain of CTEs that inserts `inputs`; its CTE `created` holds the rows
   * `create` returns. Subclasses add what else a create writes (CTEs reading
   * `created`), keeping that name for the rows to return.
   */
  protected createStatement(db: TableDb, inputs: readonly New[]): TableChain {
    return insertChain(
      db,
      this.tableName,
      inputs.map((input) => this.insertable(input)),
    )
  }

  /**
   * The update as one statement: the chain that changes the row
   * (`updateStatement`), ended by `changedStatement`. Subclasses add what
   * else their updates write.
   */
  protected updateOne(db: TableDb, id: number, patch: Patch, options: UpdateOptions): OneStatement {
    const values = this.writableValues(patch, 'update')
    if (Object.keys(values).length === 0) throw new ValidationError('an update needs at least one field')
    return this.changedStatement(this.updateStatement(db, this.validId(id), values, options), id)
  }

  /** The chain whose CTE `changed` updates the row (no rows when it is gone or has moved on). */
  protected updateStatement(
    db: TableDb,
    id: number,
    values: Record<string, unknown>,
    options: UpdateOptions,
  ): TableChain {
    return updateChain(db, this.definition, this.orgId, id, values, options.expectedVersion)
  }

  /** Ends an update chain (CTE `changed`) with the select `changedRow` reads; `columns` are returned beside the row. */
  protected changedStatement(chain: TableChain, id: number, columns: ExtraColumns = () => []): OneStatement {
    return selectChanged(chain, this.tableName, this.orgId, id, columns)
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
    const stored = await this.operate('createOnce', 'read', (db: Kysely<DB>) =>
      storedResult(db, this.orgId, request.key),
    )
    if (!stored) throw new TransientError('the idempotency key changed while it was read; retry', {})
    if (stored.requestHash !== request.requestHash) {
      throw new IdempotencyKeyReusedError('this Idempotency-Key was used with a different request', {
        repository: this.definition.name,
        operation: 'createOnce',
      })
    }
    return this.toRow(rowFromStored(stored.rows[0] as Record<string, unknown>, this.definition.timestamps))
  }

  /** The input's writable columns, refusing anything else (the organization above all). */
  protected writableValues(input: unknown, action: 'create' | 'update'): Record<string, unknown> {
    return writableValues(this.definition, input, action)
  }

  /** A created row, its tags marked obsolete. */
  #created(row: Record<string, unknown>, hooks: UnitHooks): Row {
    const created = this.toRow(row)
    hooks.invalidate(this.writeTags('create', [created]))
    return created
  }

  private insertable(input: New): Record<string, unknown> {
    return { ...this.writableValues(input, 'create'), organizationId: this.orgId }
  }
}

instrument(BaseRepository, ['create', 'createOnce', 'createMany', 'update', 'delete'])
