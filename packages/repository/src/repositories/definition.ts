/**
 * What makes one repository different from another: its table of the user's
 * schema and its whitelists, each checked against that table's columns.
 *
 * ```ts
 * const projects = defineRepository<DB>()({
 *   name: 'projects',
 *   table: 'projects',
 *   writable: ['name'],
 *   filters: { name: { column: 'name', operators: ['eq', 'contains'] } },
 *   sorts: { newest: { column: 'createdAt', direction: 'desc' } },
 *   defaultSort: 'newest',
 * })
 * ```
 */
import type { Selectable } from 'kysely'
import type { FilterSpecs } from './filters.ts'

/** What every tenant row has: an id, and the organization it belongs to. */
export interface TenantRow {
  id: number
  organizationId: string
}

/** The tables of `DB` a repository can serve: those whose rows are tenant rows. */
export type TenantTable<DB> = {
  [Table in keyof DB & string]: Selectable<DB[Table]> extends TenantRow ? Table : never
}[keyof DB & string]

/** A column of one table (camelCase, as Kysely's `CamelCasePlugin` maps it). */
export type Column<DB, Table extends keyof DB> = keyof DB[Table] & string

/** Rows are ordered by `column` and then by id, both in `direction` (keyset pagination needs a total order). */
export interface SortSpec<ColumnName extends string = string> {
  column: ColumnName
  direction: 'asc' | 'desc'
}

export interface RepositoryDefinition<
  DB = unknown,
  Table extends TenantTable<DB> = TenantTable<DB>,
  Filter extends object = object,
  Sort extends string = string,
> {
  /** The name in errors, logs, cursors, cache keys, tags and metrics. */
  name: string
  table: Table
  /** Columns a caller may set on create and change on update; the organization is never one of them. */
  writable: readonly Column<DB, Table>[]
  /** One spec per field of the repository's filter type: a filter without one does not compile. */
  filters: FilterSpecs<DB, Table, Filter>
  sorts: Readonly<Record<Sort, SortSpec<Column<DB, Table>>>>
  defaultSort: NoInfer<Sort>
  /** Has a `version` column: updates bump it and may check the expected one. @default false */
  versioned?: boolean
  /** Has an `updated_at` column that updates set to now(). @default false */
  touchesUpdatedAt?: boolean
  /** Columns read as dates: a row stored as JSON (idempotency) gets them back as `Date`s. @default none */
  timestamps?: readonly Column<DB, Table>[]
}

/**
 * A definition checked against `DB`, with its filter and sort types inferred
 * (`defineRepository<DB>()({...})`: the first call fixes the schema, the
 * second infers the rest).
 */
export function defineRepository<DB>() {
  return <Table extends TenantTable<DB>, Filter extends object, Sort extends string>(
    definition: RepositoryDefinition<DB, Table, Filter, Sort>,
  ): RepositoryDefinition<DB, Table, Filter, Sort> => definition
}

export interface ListOptions<Sort extends string = string> {
  /** One of the repository's sort names. */
  sort?: Sort
  /** 1..100. @default 20 */
  limit?: number
  /** `nextCursor` of the previous page. */
  cursor?: string
}

export interface Page<T> {
  items: T[]
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

export const DEFAULT_LIMIT = 20
export const MAX_LIMIT = 100
export const MAX_BATCH = 100
