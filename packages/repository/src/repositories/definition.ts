/** What makes one repository different from another: its table and its whitelists. */
import type { Kysely, QueryCreator, SelectQueryBuilder } from 'kysely'
import type { FilterSpecs } from './filters.ts'

// biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time; the public methods are typed
export type AnyDb = Kysely<any>
// biome-ignore lint/suspicious/noExplicitAny: as above
export type AnySelect = SelectQueryBuilder<any, any, any>
/** A chain of CTEs (`db.with(…)`) a statement is built on. */
// biome-ignore lint/suspicious/noExplicitAny: as above
export type AnyChain = QueryCreator<any>

export type TenantTableName = 'documents' | 'topics' | 'summaries'

/** Rows are ordered by `column` and then by id, both in `direction` (keyset pagination needs a total order). */
export interface SortSpec {
  column: string
  direction: 'asc' | 'desc'
}

export interface RepositoryDefinition {
  /** The name in errors, logs, cursors and (later) cache keys and metrics. */
  name: string
  table: TenantTableName
  /** Columns a caller may set on create and change on update; the organization is never one of them. */
  writable: readonly string[]
  filters: FilterSpecs
  sorts: Readonly<Record<string, SortSpec>>
  defaultSort: string
  /** Has a `version` column: updates bump it and may check the expected one. */
  versioned: boolean
  /** Has an `updated_at` column that updates set to now(). */
  touchesUpdatedAt: boolean
  /** Columns read as dates (camelCase): a row stored as JSON (idempotency) gets them back as `Date`s. */
  timestamps: readonly string[]
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
