/**
 * The one description of the database that every query is typed against.
 *
 * Column names are camelCase here and snake_case in Postgres: every `Kysely<DB>`
 * this package builds carries Kysely's `CamelCasePlugin`, which maps between them.
 * Row types for each table are derived from this interface (see `rows.ts`), so a
 * column added in a migration is added here once and flows everywhere.
 */
import type { ColumnType, Generated } from 'kysely'

/** A timestamp Postgres fills in; readable as a `Date`, writable as a `Date` or ISO string. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** A column with a database default: optional on insert, required on read. */
type Defaulted<T> = ColumnType<T, T | undefined, T>

/** Lifecycle of a document; a CHECK constraint in the schema holds the same list. */
export const DOCUMENT_STATUSES = ['draft', 'published', 'archived'] as const
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number]

/** Organization ids are chosen by people, so the schema bounds their shape. */
export const ORGANIZATION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export interface OrganizationsTable {
  id: string
  name: string
  createdAt: Timestamp
}

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

export interface IdempotencyKeysTable {
  organizationId: string
  key: string
  /** A hash of what the request asked for: the same key with another request is refused. */
  requestHash: string
  /** What the guarded write returned: its rows as JSON, as Postgres wrote them (snake_case keys). */
  result: string
  createdAt: Timestamp
  expiresAt: Date | string
}

export interface DB {
  organizations: OrganizationsTable
  documents: DocumentsTable
  topics: TopicsTable
  documentTopics: DocumentTopicsTable
  documentLinks: DocumentLinksTable
  summaries: SummariesTable
  idempotencyKeys: IdempotencyKeysTable
}
