/** The documents domain's tables, as its repositories see them: what callers may write, filter on and sort by. */
import { defineRepository, ValidationError } from '@serverless-dal/repository'
import { sql } from 'kysely'
import type { DocumentFilter, DocumentSort } from './document-types.ts'
import { type DB, DOCUMENT_STATUSES } from './schema.ts'
import type { SummaryFilter, SummarySort } from './summary-repository.ts'
import type { TopicFilter, TopicSort } from './topic-repository.ts'

export const documentDefinition = defineRepository<DB>()<'documents', DocumentFilter, DocumentSort>({
  table: 'documents',
  writable: ['title', 'body', 'status'],
  filters: {
    status: { column: 'status', operators: ['eq', 'in'], oneOf: DOCUMENT_STATUSES },
    title: { column: 'title', operators: ['contains', 'startsWith'] },
    createdAt: { column: 'createdAt', operators: ['gt', 'gte', 'lt', 'lte'] },
    updatedAt: { column: 'updatedAt', operators: ['gt', 'gte', 'lt', 'lte'] },
    topicId: {
      build: (eb, value) => {
        if (!Number.isSafeInteger(value) || (value as number) < 1) {
          throw new ValidationError('filter "topicId" must be a positive integer')
        }
        return eb.exists(
          eb
            .selectFrom('documentTopics as dt')
            .select(sql`1`.as('one'))
            .whereRef('dt.organizationId', '=', 'documents.organizationId')
            .whereRef('dt.documentId', '=', 'documents.id')
            .where('dt.topicId', '=', value as number),
        )
      },
    },
  },
  sorts: {
    newest: { column: 'createdAt', direction: 'desc' },
    oldest: { column: 'createdAt', direction: 'asc' },
    recentlyUpdated: { column: 'updatedAt', direction: 'desc' },
    title: { column: 'title', direction: 'asc' },
  },
  defaultSort: 'newest',
  versioned: true,
  touchesUpdatedAt: true,
  timestamps: ['createdAt', 'updatedAt'],
})

export const topicDefinition = defineRepository<DB>()<'topics', TopicFilter, TopicSort>({
  table: 'topics',
  writable: ['name'],
  filters: { name: { column: 'name', operators: ['eq', 'in', 'contains', 'startsWith'] } },
  sorts: {
    name: { column: 'name', direction: 'asc' },
    newest: { column: 'createdAt', direction: 'desc' },
  },
  defaultSort: 'name',
  timestamps: ['createdAt'],
})

export const summaryDefinition = defineRepository<DB>()<'summaries', SummaryFilter, SummarySort>({
  table: 'summaries',
  writable: ['documentId', 'text'],
  filters: { documentId: { column: 'documentId', operators: ['eq', 'in'] } },
  sorts: {
    oldest: { column: 'createdAt', direction: 'asc' },
    newest: { column: 'createdAt', direction: 'desc' },
  },
  defaultSort: 'oldest',
  timestamps: ['createdAt'],
})
