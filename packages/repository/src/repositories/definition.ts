/**
 * What makes one repository different from another: its table of the user's
 * schema and its whitelists, each checked against that table's columns.
 *
 * ```ts
 * const tasks = defineRepository<DB>()({ table: 'tasks', writable: ['projectId', 'title', 'done'] })
 * const projects = defineRepository<DB>()({
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
  /** The name in errors, logs, cursors, cache keys, tags and metrics. @default the table's */
  name?: string
  table: Table
  /** Columns a caller may set on create and change on update; the organization is never one of them. */
  writable: readonly Column<DB, Table>[]
  /** One spec per field of the repository's filter type: a filter without one does not compile. @default none */
  filters?: FilterSpecs<DB, Table, Filter>
  /** @default `{ id: { column: 'id', direction: 'asc' } }` */
  sorts?: Readonly<Record<Sort, SortSpec<Column<DB, Table>>>>
  /** @default the first sort */
  defaultSort?: NoInfer<Sort>
  /** Has a `version` column: updates bump it and may check the expected one. @default false */
  versioned?: boolean
  /** Has an `updated_at` column that updates set to now(). @default false */
  touchesUpdatedAt?: boolean
  /** Columns read as dates: a row stored as JSON (idempotency) gets them back as `Date`s. @default none */
  timestamps?: readonly Column<DB, Table>[]
}

/** A definition with its defaults filled in, as repositories read it. */
export interface ResolvedDefinition<Table extends string = string, Sort extends string = string> {
  name: string
  table: Table
  writable: readonly string[]
  filters: FilterSpecs
  sorts: Readonly<Record<string, SortSpec>>
  defaultSort: Sort | string
  versioned: boolean
  touchesUpdatedAt: boolean
  timestamps: readonly string[]
}

const BY_ID: Readonly<Record<string, SortSpec>> = { id: { column: 'id', direction: 'asc' } }

export function resolveDefinition<DB, Table extends TenantTable<DB>, Filter extends object, Sort extends string>(
  definition: RepositoryDefinition<DB, Table, Filter, Sort>,
): ResolvedDefinition<Table, Sort> {
  const sorts: Readonly<Record<string, SortSpec>> = definition.sorts ?? BY_ID
  return {
    name: definition.name ?? definition.table,
    table: definition.table,
    writable: definition.writable,
    filters: definition.filters ?? {},
    sorts,
    defaultSort: definition.defaultSort ?? Object.keys(sorts)[0] ?? 'id',
    versioned: definition.versioned ?? false,
    touchesUpdatedAt: definition.touchesUpdatedAt ?? false,
    timestamps: definition.timestamps ?? [],
  }
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

/** Read options; `include` names relations to load in the same query (repositories that have any). */
export interface ReadOptions<Include extends string> {
  include?: readonly Include[]
  /** This call's cache TTL instead of its query type's. */
  cacheTtlMs?: number
}

export interface Page<T> {
  items: T[]
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

export const DEFAULT_LIMIT = 20
export const MAX_LIMIT = 100
export const MAX_BATCH = 100
