/**
 * The one adapter between the user's schema and the generic machinery.
 *
 * A base repository's table is a type parameter, known only at run time to
 * the code that builds its statements; TypeScript cannot resolve Kysely's
 * column types through a table name that is itself generic. So the shared
 * statements (scoped selects, inserts, updates, keyset pages) are built on a
 * view of the same database in which every table is a tenant table of
 * unknown columns. The definition's whitelists are checked against the real
 * `DB` where they are written (`definition.ts`); what a repository returns is
 * typed by its `Row` again at `toRow`.
 */
import type { Generated, Kysely, QueryCreator, SelectQueryBuilder } from 'kysely'

/** A tenant table as the generic statements see it. */
export interface TenantTableColumns {
  id: Generated<number>
  organizationId: string
  [column: string]: unknown
}

export type TableSchema = Record<string, TenantTableColumns>
export type TableDb = Kysely<TableSchema>
/** A chain of CTEs (`db.with(…)`) a statement is built on. */
export type TableChain = QueryCreator<TableSchema>
export type TableSelect = SelectQueryBuilder<TableSchema, string, Record<string, unknown>>

/** The same database, seen through `TableSchema` (no copy, no plugin change). */
export function tableDb<DB>(db: Kysely<DB>): TableDb {
  return db as unknown as TableDb // the adapter: see the module comment
}
