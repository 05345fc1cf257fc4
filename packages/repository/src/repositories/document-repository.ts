/**
 * Documents: CRUD from the base repository plus the graph walk, documents by
 * topic, topic assignment, links, and eager loading of topics and summaries in
 * the same query.
 *
 * ```ts
 * const doc = await documents.findById(123, { include: ['topics', 'summaries'] })
 * const related = await documents.findRelatedDocuments(123, { maxDepth: 2 })
 * const page = await documents.findByTopic(456, { limit: 10 })
 * ```
 */
import { sql } from 'kysely'
import { NotFoundError, ValidationError } from '../errors.ts'
import { instrument } from '../metrics/instrument.ts'
import { DOCUMENT_STATUSES, type DocumentStatus } from '../schema/database.ts'
import type { Document } from '../schema/rows.ts'
import {
  type AnyDb,
  type AnySelect,
  BaseRepository,
  type ReadOptions,
  type RepositoryContext,
} from './base-repository.ts'
import type { ListOptions, Page, RepositoryDefinition } from './definition.ts'
import type { RangeFilter, SearchFilter } from './filters.ts'
import { relatedDocumentsQuery } from './related-documents.ts'

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
}

export type DocumentPatch = Partial<NewDocumentInput>

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

export interface RelatedDocument {
  /** With its `topicIds`. */
  document: DocumentRow & { topicIds: number[] }
  /** Links between the start and this document on the shortest path (1 = directly linked). */
  depth: number
}

export const MAX_RELATED_DEPTH = 5

const INCLUDES: readonly DocumentInclude[] = ['topics', 'summaries']

const definition: RepositoryDefinition = {
  name: 'documents',
  table: 'documents',
  writable: ['title', 'body', 'status'],
  filters: {
    status: { column: 'documents.status', operators: ['eq', 'in'], oneOf: DOCUMENT_STATUSES },
    title: { column: 'documents.title', operators: ['contains', 'startsWith'] },
    createdAt: { column: 'documents.createdAt', operators: ['gt', 'gte', 'lt', 'lte'] },
    updatedAt: { column: 'documents.updatedAt', operators: ['gt', 'gte', 'lt', 'lte'] },
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
            .where('dt.topicId', '=', value),
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
}

export class DocumentRepository extends BaseRepository<
  DocumentRow,
  NewDocumentInput,
  DocumentPatch,
  DocumentFilter,
  DocumentSort,
  DocumentInclude
> {
  constructor(context: RepositoryContext) {
    super(context, definition)
  }

  /**
   * Documents reachable from `id` over links (either direction), each once at
   * its smallest depth, the start excluded, nearest first. One query.
   */
  findRelatedDocuments(
    id: number,
    options: { maxDepth?: number; cacheTtlMs?: number } = {},
  ): Promise<RelatedDocument[]> {
    const maxDepth = options.maxDepth ?? 2
    const tags = ['documents:graph', 'documents:*']
    return this.cachedRead('findRelatedDocuments', 'related', { id, maxDepth }, tags, options, () =>
      this.operate('findRelatedDocuments', 'read', async (db) => {
        if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_RELATED_DEPTH) {
          throw new ValidationError(`maxDepth must be an integer from 1 to ${MAX_RELATED_DEPTH}`)
        }
        await this.assertExists(db, 'documents', this.validId(id))
        const { rows } = await relatedDocumentsQuery(this.orgId, id, maxDepth).execute(db)
        return rows.map(({ depth, ...document }) => ({
          document: document as unknown as RelatedDocument['document'],
          depth: Number(depth),
        }))
      }),
    )
  }

  /** One page of the documents that have this topic; NotFoundError for a topic not in the organization. */
  findByTopic(
    topicId: number,
    options: ListOptions<DocumentSort> & ReadOptions<DocumentInclude> = {},
  ): Promise<Page<DocumentRow>> {
    const { cacheTtlMs: _, ...params } = options
    // the topic's own row matters too: deleting it turns this answer into NotFound
    const tags = [...this.listTags(), `topics:${topicId}`]
    return this.cachedRead('findByTopic', 'byTopic', { topicId, ...params }, tags, options, () =>
      this.operate('findByTopic', 'read', async (db) => {
        await this.assertExists(db, 'topics', this.validId(topicId))
        return this.page(this.selectRows(db, options.include ?? []), { topicId }, options)
      }),
    )
  }

  /** Makes `topicIds` the document's exact set of topics. */
  setTopics(documentId: number, topicIds: readonly number[]): Promise<void> {
    return this.operate('setTopics', 'write', async (db) => {
      await this.assertExists(db, 'documents', this.validId(documentId))
      const ids = [...new Set(topicIds.map((topicId) => this.validId(topicId)))]
      let removal = db
        .deleteFrom('documentTopics')
        .where('organizationId', '=', this.orgId)
        .where('documentId', '=', documentId)
      if (ids.length) removal = removal.where('topicId', 'not in', ids)
      await removal.execute()
      // graph answers carry each related document's topics too
      this.invalidateAfterCommit([`documents:${documentId}`, 'documents:list', 'documents:graph'])
      if (ids.length === 0) return
      await db
        .insertInto('documentTopics')
        .values(ids.map((topicId) => ({ organizationId: this.orgId, documentId, topicId })))
        .onConflict((oc) => oc.doNothing())
        .execute()
    })
  }

  /** Links two documents of the organization (idempotent); ForeignKeyError if the target is not one of them. */
  link(sourceId: number, targetId: number): Promise<void> {
    return this.operate('link', 'write', async (db) => {
      await this.assertExists(db, 'documents', this.validId(sourceId))
      await db
        .insertInto('documentLinks')
        .values({ organizationId: this.orgId, sourceId, targetId: this.validId(targetId) })
        .onConflict((oc) => oc.doNothing())
        .execute()
      this.invalidateAfterCommit(['documents:graph'])
    })
  }

  /** Removes the link from `sourceId` to `targetId`; NotFoundError if there was none. */
  unlink(sourceId: number, targetId: number): Promise<void> {
    return this.operate('unlink', 'write', async (db) => {
      const result = await db
        .deleteFrom('documentLinks')
        .where('organizationId', '=', this.orgId)
        .where('sourceId', '=', this.validId(sourceId))
        .where('targetId', '=', this.validId(targetId))
        .executeTakeFirst()
      if (result.numDeletedRows === 0n) throw this.notFound(sourceId)
      this.invalidateAfterCommit(['documents:graph'])
    })
  }

  /** A changed or deleted document also changes graph answers; a deleted one takes its summaries along. */
  protected override writeTags(action: 'create' | 'update' | 'delete', rows: readonly DocumentRow[]): string[] {
    const tags = super.writeTags(action, rows)
    if (action === 'update') tags.push('documents:graph')
    if (action === 'delete') tags.push('documents:graph', 'summaries:*')
    return tags
  }

  protected override selectRows(db: AnyDb, include: readonly DocumentInclude[]): AnySelect {
    const unknown = include.find((relation) => !INCLUDES.includes(relation))
    if (unknown) throw new ValidationError(`unknown include "${unknown}"; allowed: ${INCLUDES.join(', ')}`)
    let query = this.scoped(db).selectAll('documents')
    if (include.includes('topics')) {
      query = query.select(
        sql<number[]>`coalesce((
          select array_agg(dt.topic_id order by dt.topic_id) from document_topics dt
          where dt.organization_id = documents.organization_id and dt.document_id = documents.id), '{}')`.as(
          'topicIds',
        ),
      )
    }
    if (include.includes('summaries')) {
      query = query.select(
        sql<unknown[]>`coalesce((
          select json_agg(json_build_object('id', s.id, 'text', s.text, 'createdAt', s.created_at) order by s.id)
          from summaries s
          where s.organization_id = documents.organization_id and s.document_id = documents.id), '[]'::json)`.as(
          'summaries',
        ),
      )
    }
    return query
  }

  protected override toRow(row: Record<string, unknown>): DocumentRow {
    const summaries = row.summaries as Array<{ id: number; text: string; createdAt: string }> | undefined
    if (!summaries) return row as unknown as DocumentRow
    return {
      ...(row as unknown as DocumentRow),
      summaries: summaries.map((s) => ({ id: s.id, text: s.text, createdAt: new Date(s.createdAt) })),
    }
  }

  private async assertExists(db: AnyDb, table: 'documents' | 'topics', id: number): Promise<void> {
    const row = await db
      .selectFrom(table)
      .select('id')
      .where('organizationId', '=', this.orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError(`${table} ${id} not found`)
  }
}

instrument(DocumentRepository, ['findRelatedDocuments', 'findByTopic', 'setTopics', 'link', 'unlink'])
