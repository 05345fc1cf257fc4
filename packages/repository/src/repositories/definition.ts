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
import type { Consistency } from '../cache/port.ts'
import type { FilterSpecs } from './filters.ts'
import { DEFAULT_MAX_PAGE_BYTES } from './page-budget.ts'
import { type TableTags, tagsOf } from './tags.ts'

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

/** The columns a caller may write: never the id or the organization. */
export type WritableColumn<DB, Table extends keyof DB> = Exclude<Column<DB, Table>, 'id' | 'organizationId'>

/** What a repository of `Table` returns: its rows, with whatever it adds (eager-loaded relations). */
export type RowOf<DB, Table extends keyof DB> = Selectable<DB[Table]> & { id: number }

/** `flag` only where `Table` has `column`: a definition cannot ask for a column its table lacks. */
type IfColumn<DB, Table extends keyof DB, ColumnName extends string> =
  ColumnName extends Column<DB, Table> ? boolean : false

/** Filters: optional when the filter type has no fields, else one spec per field (a missing one does not compile). */
type FiltersOf<DB, Table extends keyof DB, Filter> = [keyof Filter] extends [never]
  ? { filters?: FilterSpecs<DB, Table, Filter> }
  : { filters: FilterSpecs<DB, Table, Filter> }

export type RepositoryDefinition<
  DB = unknown,
  Table extends TenantTable<DB> = TenantTable<DB>,
  Filter extends object = object,
  Sort extends string = string,
> = FiltersOf<DB, Table, Filter> & {
  /** The name in errors, logs, cursors, cache keys, tags and metrics. @default the table's */
  name?: string
  table: Table
  /** Columns a caller may set on create and change on update; never the id or the organization. */
  writable: readonly WritableColumn<DB, Table>[]
  /** @default `{ id: { column: 'id', direction: 'asc' } }` */
  sorts?: Readonly<Record<Sort, SortSpec<Column<DB, Table>>>>
  /** @default the first sort */
  defaultSort?: NoInfer<Sort>
  /** Has a `version` column: updates bump it and may check the expected one. @default false */
  versioned?: IfColumn<DB, Table, 'version'>
  /** Has an `updatedAt` column that updates set to now(). @default false */
  touchesUpdatedAt?: IfColumn<DB, Table, 'updatedAt'>
  /** Columns read as dates: a row stored as JSON (idempotency) gets them back as `Date`s. @default none */
  timestamps?: readonly Column<DB, Table>[]
  /** A page ends once its rows' JSON reaches this many bytes (`page-budget.ts`). @default 1 MiB */
  maxPageBytes?: number
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
  maxPageBytes: number
  /** The table's cache tags, by its name. */
  tags: TableTags
}

const BY_ID: Readonly<Record<string, SortSpec>> = { id: { column: 'id', direction: 'asc' } }

/** Resolved once per definition, not once per request scope. */
const RESOLVED = new WeakMap<object, ResolvedDefinition>()

export function resolveDefinition<DB, Table extends TenantTable<DB>, Filter extends object, Sort extends string>(
  definition: RepositoryDefinition<DB, Table, Filter, Sort>,
): ResolvedDefinition<Table, Sort> {
  const known = RESOLVED.get(definition)
  if (known) return known as ResolvedDefinition<Table, Sort>
  const named: Readonly<Record<string, SortSpec>> = definition.sorts ?? {}
  const sorts = Object.keys(named).length > 0 ? named : BY_ID
  const forbidden = definition.writable.find((column) => column === 'id' || column === 'organizationId')
  if (forbidden) throw new TypeError(`${definition.table}: "${forbidden}" can never be writable`)
  const resolved: ResolvedDefinition<Table, Sort> = {
    name: definition.name ?? definition.table,
    table: definition.table,
    writable: definition.writable,
    filters: definition.filters ?? {},
    sorts,
    defaultSort: definition.defaultSort ?? Object.keys(sorts)[0] ?? 'id',
    versioned: definition.versioned ?? false,
    touchesUpdatedAt: definition.touchesUpdatedAt ?? false,
    timestamps: definition.timestamps ?? [],
    maxPageBytes: pageBudgetOf(definition),
    tags: tagsOf(definition),
  }
  RESOLVED.set(definition, resolved)
  return resolved
}

function pageBudgetOf(definition: { table: string; maxPageBytes?: number }): number {
  const bytes = definition.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new TypeError(`${definition.table}: maxPageBytes must be a positive integer`)
  return bytes
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
export interface ReadOptions<Include extends string> extends CallOptions {
  include?: readonly Include[]
}

/** What one call of a cached read may ask besides its parameters. */
export interface CallOptions {
  /** This call's cache TTL instead of its query type's. */
  cacheTtlMs?: number
  /** `strong`: not from this isolate's memory; `fresh`: from the database. @default the tiers' bounds */
  consistency?: Consistency
  /** A write's consistency token: answer nothing older than that write. @default the scope's */
  consistencyToken?: string
}

/** The page a list asks for: its cache key's part of the options (nothing about how to read it). */
export function pageOf<Sort extends string>(options: ListOptions<Sort>): ListOptions<Sort> {
  return { sort: options.sort, limit: options.limit, cursor: options.cursor }
}

export interface Page<T> {
  items: T[]
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

export const DEFAULT_LIMIT = 20
export const MAX_LIMIT = 100
export const MAX_BATCH = 100
