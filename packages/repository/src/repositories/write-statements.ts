/**
 * The statements of the base repository's writes, each one statement (one
 * round trip): an insert as CTE `created`, an update as CTE `changed`, and
 * the select that reads the changed row beside whether the row existed. A
 * repository adds CTEs to these chains for what else its writes touch.
 */
import { type AliasedExpression, type ExpressionBuilder, sql } from 'kysely'
import { RepositoryError, ValidationError } from '../errors.ts'
import type { TableChain, TableDb, TableSchema } from './table-db.ts'

export type WriteAction = 'create' | 'update' | 'delete'

export interface UpdateOptions {
  /** The version the caller read; the update fails with ConflictError if the row has moved on. */
  expectedVersion?: number
}

/** What an update reads of a repository's definition. */
export interface UpdatedTable {
  table: string
  versioned?: boolean
  touchesUpdatedAt?: boolean
}

/** Columns an update's final select returns beside the changed row. */
export type ExtraColumns = (eb: ExpressionBuilder<TableSchema, 'changed'>) => AliasedExpression<unknown, string>[]

/** CTE `created`: the rows inserted, as they were written. */
export function insertChain(db: TableDb, table: string, rows: Record<string, unknown>[]): TableChain {
  return db.with('created', (qc) => qc.insertInto(table).values(rows).returningAll())
}

/**
 * CTE `changed`: the organization's row `id` with `values` set (and on a
 * versioned table the version raised, checked against `expectedVersion` when
 * given); no row when it is gone or has moved on.
 */
export function updateChain(
  db: TableDb,
  definition: UpdatedTable,
  orgId: string,
  id: number,
  values: Record<string, unknown>,
  expectedVersion: number | undefined,
): TableChain {
  const { table, versioned, touchesUpdatedAt } = definition
  const set = { ...values }
  if (versioned) set.version = sql`version + 1`
  if (touchesUpdatedAt) set.updatedAt = sql`now()`
  return db.with('changed', (qc) => {
    let query = qc.updateTable(table).set(set).where('organizationId', '=', orgId).where('id', '=', id)
    if (versioned && expectedVersion !== undefined) query = query.where('version', '=', validVersion(expectedVersion))
    return query.returningAll()
  })
}

/**
 * Ends an update chain: one row, the row of CTE `changed` (its columns null
 * when nothing changed) with `columns`, and `rowExists` — whether the row
 * existed, read by the same statement, as it stood before its own writes.
 */
export function selectChanged(chain: TableChain, table: string, orgId: string, id: number, columns: ExtraColumns) {
  return chain
    .selectFrom(sql`(select 1)`.as('one'))
    .leftJoin('changed', (join) => join.onTrue())
    .selectAll('changed')
    .select((eb) => [
      eb
        .exists(
          eb
            .selectFrom(table)
            .select(sql`1`.as('one'))
            .where(`${table}.organizationId`, '=', orgId)
            .where(`${table}.id`, '=', id),
        )
        .as('rowExists'),
      ...columns(eb),
    ])
}

function validVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 1)
    throw new ValidationError('expectedVersion must be a positive integer')
  return version
}

/** The input's writable columns (`definition.writable`), refusing anything else (the organization above all). */
export function writableValues(
  definition: { name: string; writable: readonly string[] },
  input: unknown,
  action: 'create' | 'update',
): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(`${action} needs an object of fields`)
  }
  const values: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue
    if (!definition.writable.includes(field)) {
      throw new ValidationError(`${definition.name} cannot ${action} the field "${field}"`)
    }
    values[field] = value
  }
  return values
}

/** The one row a statement that must return one returned. */
export function first(rows: Record<string, unknown>[]): Record<string, unknown> {
  const row = rows[0]
  if (!row) throw new RepositoryError('the statement returned no row')
  return row
}
