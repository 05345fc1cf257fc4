/** Summaries of documents; a summary's document must be in the same organization (ForeignKeyError otherwise). */
import type { Summary } from '../schema/rows.ts'
import { BaseRepository, type RepositoryContext } from './base-repository.ts'
import type { RepositoryDefinition } from './definition.ts'

export interface NewSummaryInput {
  documentId: number
  text: string
}
export type SummaryPatch = Partial<Pick<NewSummaryInput, 'text'>>
export interface SummaryFilter {
  documentId?: number | { in: number[] }
}
export type SummarySort = 'oldest' | 'newest'

const definition: RepositoryDefinition = {
  name: 'summaries',
  table: 'summaries',
  writable: ['documentId', 'text'],
  filters: { documentId: { column: 'summaries.documentId', operators: ['eq', 'in'] } },
  sorts: {
    oldest: { column: 'createdAt', direction: 'asc' },
    newest: { column: 'createdAt', direction: 'desc' },
  },
  defaultSort: 'oldest',
  versioned: false,
  touchesUpdatedAt: false,
  timestamps: ['createdAt'],
}

export class SummaryRepository extends BaseRepository<
  Summary,
  NewSummaryInput,
  SummaryPatch,
  SummaryFilter,
  SummarySort
> {
  constructor(context: RepositoryContext) {
    super(context, definition)
  }

  /** A document's summaries are eager-loaded with it, so its row and the lists change too. */
  protected override writeTags(action: 'create' | 'update' | 'delete', rows: readonly Summary[]): string[] {
    const documents = [...new Set(rows.map((row) => `documents:${row.documentId}`))]
    return [...super.writeTags(action, rows), ...documents, 'documents:list']
  }
}
