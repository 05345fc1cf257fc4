/**
 * The documents schema: the one description of the database that every query
 * of this domain is typed against, and that the package's repositories are
 * generic over.
 *
 * Column names are camelCase here and snake_case in Postgres: every `Kysely<DB>`
 * the package builds carries Kysely's `CamelCasePlugin`, which maps between them.
 * Row types for each table are derived from this interface (see `rows.ts`), so a
 * column added in a migration is added here once and flows everywhere.
 */
import type { TenancyTables } from '@serverless-dal/repository'
import type { ColumnType, Generated } from 'kysely'

/** A timestamp Postgres fills in; readable as a `Date`, writable as a `Date` or ISO string. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** A column with a database default: optional on insert, required on read. */
type Defaulted<T> = ColumnType<T, T | undefined, T>

/** Lifecycle of a document; a CHECK constraint in the schema holds the same list. */
export const DOCUMENT_STATUSES = ['draft', 'published', 'archived'] as const
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number]

export type OrganizationsTable = TenancyTables['organizations']

export interface DocumentsTable {
  id: Generated<number>
  organizationId: string
  title: string
  body: Defaulted<string>
  status: Defaulted<DocumentStatus>
  /** Starts at 1; every update raises it by one (optimistic concurrency). */
  version: Defaulted<number>
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface TopicsTable {
  id: Generated<number>
  organizationId: string
  name: string
  createdAt: Timestamp
}

export interface DocumentTopicsTable {
  organizationId: string
  documentId: number
  topicId: number
}

export interface DocumentLinksTable {
  organizationId: string
  sourceId: number
  targetId: number
  createdAt: Timestamp
}

export interface SummariesTable {
  id: Generated<number>
  organizationId: string
  documentId: number
  text: string
  createdAt: Timestamp
}

export interface DB extends TenancyTables {
  documents: DocumentsTable
  topics: TopicsTable
  documentTopics: DocumentTopicsTable
  documentLinks: DocumentLinksTable
  summaries: SummariesTable
}
