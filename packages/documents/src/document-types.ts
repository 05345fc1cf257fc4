/** What the document repository takes and returns. */
import type {
  CallOptions,
  ListOptions,
  RangeFilter,
  ReadOptions,
  SearchFilter,
  UpdateOptions,
} from '@serverless-dal/repository'
import type { Document } from './rows.ts'
import type { DocumentStatus } from './schema.ts'

export type DocumentInclude = 'topics' | 'summaries'

/** A summary as eager loading returns it. */
export interface DocumentSummary {
  id: number
  text: string
  createdAt: Date
}

export interface DocumentRow extends Document {
  /** With `include: ['topics']`: the document's topic ids, ascending. */
  topicIds?: number[]
  /** With `include: ['summaries']`: its summaries, oldest first. */
  summaries?: DocumentSummary[]
}

export interface NewDocumentInput {
  title: string
  body?: string
  status?: DocumentStatus
  /** Topics to assign, in the same statement (`topicIds` of the result lists them). */
  topicIds?: readonly number[]
  /** A summary to create with it, in the same statement (`summaries` of the result holds it). */
  summary?: string
}

export type DocumentPatch = Partial<Pick<NewDocumentInput, 'title' | 'body' | 'status'>>

export interface DocumentUpdateOptions extends UpdateOptions {
  /** Makes these the document's exact set of topics, in the same statement; a change of topics alone still raises the version. */
  topicIds?: readonly number[]
}

export interface DocumentFilter {
  status?: DocumentStatus | { in: DocumentStatus[] }
  /** Case-insensitive; `%` and `_` match themselves. */
  title?: SearchFilter
  createdAt?: RangeFilter<Date | string>
  updatedAt?: RangeFilter<Date | string>
  /** Documents that have this topic. */
  topicId?: number
}

export type DocumentSort = 'newest' | 'oldest' | 'recentlyUpdated' | 'title'

export type DocumentListOptions = ListOptions<DocumentSort> & ReadOptions<DocumentInclude>

export interface RelatedOptions extends CallOptions {
  /** Links to follow from the start, 1..MAX_RELATED_DEPTH. @default 2 */
  maxDepth?: number
  /** 1..100. @default 20 */
  limit?: number
  /** `nextCursor` of the previous page of the same walk. */
  cursor?: string
}

export interface RelatedDocument {
  /** With its `topicIds`. */
  document: DocumentRow & { topicIds: number[] }
  /** Links between the start and this document on the shortest path (1 = directly linked). */
  depth: number
}

export const MAX_RELATED_DEPTH = 5
