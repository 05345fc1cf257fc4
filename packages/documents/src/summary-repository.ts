/** Summaries of documents; a summary's document must be in the same organization (ForeignKeyError otherwise). */
import { BaseRepository, type RepositoryContext, type Tag, type WriteAction } from '@serverless-dal/repository'
import { summaryDefinition } from './definitions.ts'
import type { Summary } from './rows.ts'
import type { DB } from './schema.ts'
import { documentTags } from './tags.ts'

export interface NewSummaryInput {
  documentId: number
  text: string
}
export type SummaryPatch = Partial<Pick<NewSummaryInput, 'text'>>
export interface SummaryFilter {
  documentId?: number | { in: number[] }
}
export type SummarySort = 'oldest' | 'newest'

export class SummaryRepository extends BaseRepository<
  DB,
  'summaries',
  Summary,
  NewSummaryInput,
  SummaryPatch,
  SummaryFilter,
  SummarySort
> {
  constructor(context: RepositoryContext<DB>) {
    super(context, summaryDefinition)
  }

  /** A document's summaries are eager-loaded with it, so its row and the lists change too. */
  protected override writeTags(action: WriteAction, rows: readonly Summary[]): Tag[] {
    const documents = [...new Set(rows.map((row) => documentTags.row(row.documentId)))]
    return [...super.writeTags(action, rows), ...documents, documentTags.list]
  }
}
