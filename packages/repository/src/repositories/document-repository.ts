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
import type { OneStatement } from '../session/tenant-session.ts'
import {
  type AnyChain,
  type AnyDb,
  type AnySelect,
  BaseRepository,
  type ReadOptions,
  type RepositoryContext,
  type UpdateOptions,
} from './base-repository.ts'
import type { ListOptions, Page, RepositoryDefinition } from './definition.ts'
import {
  addSummary,
  addTopics,
  replaceTopics,
  selectFound,
  summarizedColumn,
  topicIdsColumn,
  withDocument,
} from './document-statements.ts'
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
  timestamps: ['createdAt', 'updatedAt'],
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
   * Changes the document's fields and, with `topicIds`, its topics — one
   * statement. The result lists the document's topics.
   */
  override update(id: number, patch: DocumentPatch, options: DocumentUpdateOptions = {}): Promise<DocumentRow> {
    return super.update(id, patch, options)
  }

  protected override updateOne(
    db: AnyDb,
    id: number,
    patch: DocumentPatch,
    options: DocumentUpdateOptions,
  ): OneStatement {
    const values = this.writableValues(patch, 'update')
    const topicIds = options.topicIds && this.topicIdsOf(options.topicIds)
    if (Object.keys(values).length === 0 && !topicIds) throw new ValidationError('an update needs at least one field')
    let chain = this.updateStatement(db, this.validId(id), values, options)
    if (topicIds) chain = replaceTopics(chain, 'changed', this.orgId, topicIds)
    // with new topics the answer lists them; else the statement reads them, as they stood
    const listed = topicIds
      ? sql<number[]>`${topicIds}::bigint[]`.as('topicIds')
      : topicIdsColumn('changed', this.orgId)
    return this.changedStatement(chain, id, () => [listed])
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
        const { rows } = await relatedDocumentsQuery(this.orgId, this.validId(id), maxDepth).execute(db)
        if (!rows[0]?.startExists) throw this.notFound(id)
        return rows
          .filter((row) => row.id !== null)
          .map(({ depth, startExists: _, ...document }) => ({
            document: document as unknown as RelatedDocument['document'],
            depth: Number(depth),
          }))
      }),
    )
  }

  /**
   * One page of the documents that have this topic; NotFoundError for a topic
   * not in the organization. One query; an empty page asks a second whether
   * the topic exists (a document with the topic proves it does).
   */
  findByTopic(
    topicId: number,
    options: ListOptions<DocumentSort> & ReadOptions<DocumentInclude> = {},
  ): Promise<Page<DocumentRow>> {
    const { cacheTtlMs: _, ...params } = options
    // the topic's own row matters too: deleting it turns this answer into NotFound
    const tags = [...this.listTags(), `topics:${topicId}`]
    return this.cachedRead('findByTopic', 'byTopic', { topicId, ...params }, tags, options, () =>
      this.operate('findByTopic', 'read', async (db) => {
        const page = await this.page(
          this.selectRows(db, options.include ?? []),
          { topicId: this.validId(topicId) },
          options,
        )
        if (page.items.length === 0) await this.assertExists(db, 'topics', topicId)
        return page
      }),
    )
  }

  /** Makes `topicIds` the document's exact set of topics. One statement. */
  setTopics(documentId: number, topicIds: readonly number[]): Promise<void> {
    return this.writeOne(
      'setTopics',
      'write',
      (db) => {
        const chain = withDocument(db, 'target', this.orgId, this.validId(documentId))
        return selectFound(replaceTopics(chain, 'target', this.orgId, this.topicIdsOf(topicIds)), 'target')
      },
      ({ rows }, hooks) => {
        if (!rows[0]?.found) throw this.notFound(documentId)
        // graph answers carry each related document's topics too
        hooks.invalidate([`documents:${documentId}`, 'documents:list', 'documents:graph'])
      },
    )
  }

  /** Links two documents of the organization (idempotent); ForeignKeyError if the target is not one of them. One statement. */
  link(sourceId: number, targetId: number): Promise<void> {
    return this.writeOne(
      'link',
      'write',
      (db) => {
        const linked = withDocument(db, 'source', this.orgId, this.validId(sourceId)).with('linked', (qc) =>
          qc
            .insertInto('documentLinks')
            .columns(['organizationId', 'sourceId', 'targetId'])
            .expression(
              qc
                .selectFrom('source')
                .select([
                  sql`${this.orgId}::text`.as('organizationId'),
                  'id',
                  sql`${this.validId(targetId)}::bigint`.as('targetId'),
                ]),
            )
            .onConflict((oc) => oc.doNothing()),
        )
        return selectFound(linked, 'source')
      },
      ({ rows }, hooks) => {
        if (!rows[0]?.found) throw this.notFound(sourceId)
        hooks.invalidate(['documents:graph'])
      },
    )
  }

  /** Removes the link from `sourceId` to `targetId`; NotFoundError if there was none. */
  unlink(sourceId: number, targetId: number): Promise<void> {
    return this.writeOne(
      'unlink',
      'write',
      (db) =>
        db
          .deleteFrom('documentLinks')
          .where('organizationId', '=', this.orgId)
          .where('sourceId', '=', this.validId(sourceId))
          .where('targetId', '=', this.validId(targetId)),
      ({ numAffectedRows }, hooks) => {
        if (!numAffectedRows) throw this.notFound(sourceId)
        hooks.invalidate(['documents:graph'])
      },
    )
  }

  /**
   * A document with its topics and summary, in one statement: `inserted`
   * writes the row, `linked` and `summarized` its relations, and `created`
   * returns it with `topicIds` when topics were given and `summaries` when a
   * summary was.
   */
  protected override createStatement(db: AnyDb, inputs: readonly NewDocumentInput[]): AnyChain {
    const [input, ...others] = inputs
    if (!input || others.length > 0) return super.createStatement(db, inputs)
    const { topicIds, summary, ...fields } = input
    const ids = this.topicIdsOf(topicIds ?? [])
    let chain = db.with('inserted', (qc) =>
      qc
        .insertInto('documents')
        .values({ ...this.writableValues(fields, 'create'), organizationId: this.orgId } as never)
        .returningAll(),
    )
    if (ids.length) chain = addTopics(chain, 'inserted', this.orgId, ids)
    if (summary !== undefined) chain = addSummary(chain, 'inserted', this.orgId, summary)
    return chain.with('created', (qc) =>
      qc
        .selectFrom('inserted')
        .selectAll('inserted')
        .$if(topicIds !== undefined, (q) => q.select(sql<number[]>`${ids}::bigint[]`.as('topicIds')))
        .$if(summary !== undefined, (q) => q.select(summarizedColumn())),
    )
  }

  /** A document created with a summary also changes the summaries' lists. */
  protected override writeTags(action: 'create' | 'update' | 'delete', rows: readonly DocumentRow[]): string[] {
    const tags = this.documentWriteTags(action, rows)
    if (action === 'create' && rows.some((row) => row.summaries?.length)) tags.push('summaries:list')
    return tags
  }

  /** A changed or deleted document also changes graph answers; a deleted one takes its summaries along. */
  private documentWriteTags(action: 'create' | 'update' | 'delete', rows: readonly DocumentRow[]): string[] {
    const tags = super.writeTags(action, rows)
    if (action === 'update') tags.push('documents:graph')
    if (action === 'delete') tags.push('documents:graph', 'summaries:*')
    return tags
  }

  protected override selectRows(db: AnyDb, include: readonly DocumentInclude[]): AnySelect {
    const unknown = include.find((relation) => !INCLUDES.includes(relation))
    if (unknown) throw new ValidationError(`unknown include "${unknown}"; allowed: ${INCLUDES.join(', ')}`)
    let query = this.scoped(db).selectAll('documents')
    if (include.includes('topics')) query = query.select(topicIdsColumn('documents', this.orgId))
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

  /** Ids as a set: positive integers, deduplicated, ascending (the order `topicIds` are listed in). */
  private topicIdsOf(topicIds: readonly number[]): number[] {
    if (!Array.isArray(topicIds)) throw new ValidationError('topicIds must be an array of ids')
    return [...new Set(topicIds.map((topicId) => this.validId(topicId)))].sort((a, b) => a - b)
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
