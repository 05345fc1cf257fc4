/** The documents table's whitelists: what callers may write, filter on and sort by. */
import { defineRepository, ValidationError } from '@serverless-dal/repository'
import { sql } from 'kysely'
import type { DocumentFilter, DocumentSort } from './document-types.ts'
import { type DB, DOCUMENT_STATUSES } from './schema.ts'

export const documentDefinition = defineRepository<DB>()<'documents', DocumentFilter, DocumentSort>({
  name: 'documents',
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
