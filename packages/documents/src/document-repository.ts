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
import {
  BaseRepository,
  canonicalInclude,
  instrument,
  type ListOptions,
  NotFoundError,
  type OneStatement,
  type Page,
  pageOf,
  type RepositoryContext,
  type TableChain,
  type TableDb,
  type TableSelect,
  type Tag,
  tableDb,
  ValidationError,
  type WriteAction,
} from '@serverless-dal/repository'
import { type Kysely, sql } from 'kysely'
import { documentDefinition } from './definitions.ts'
import {
  addSummary,
  addTopics,
  replaceTopics,
  selectFound,
  summariesColumn,
  summarizedColumn,
  topicIdsColumn,
  withDocument,
} from './document-statements.ts'
import type {
  DocumentFilter,
  DocumentInclude,
  DocumentListOptions,
  DocumentPatch,
  DocumentRow,
  DocumentSort,
  DocumentUpdateOptions,
  NewDocumentInput,
  RelatedDocument,
  RelatedOptions,
} from './document-types.ts'
import { type RelatedParams, relatedPage } from './related-documents.ts'
import type { DB } from './schema.ts'
import { documentTags, summaryTags, topicTags } from './tags.ts'

const INCLUDES: readonly DocumentInclude[] = ['topics', 'summaries']

export class DocumentRepository extends BaseRepository<
  DB,
  'documents',
  DocumentRow,
  NewDocumentInput,
  DocumentPatch,
  DocumentFilter,
  DocumentSort,
  DocumentInclude
> {
  constructor(context: RepositoryContext<DB>) {
    super(context, documentDefinition)
  }

  readonly #related = this.cachedRead({
    name: 'findRelatedDocuments',
    queryType: 'related',
    ttlMs: 300_000,
    tags: (_: RelatedParams) => [documentTags.graph, documentTags.all],
    load: (db, params) =>
      relatedPage(db, params, {
        orgId: this.orgId,
        cursors: this.cursors,
        maxPageBytes: this.definition.maxPageBytes,
        validId: (id) => this.validId(id),
        notFound: (id) => this.notFound(id),
      }),
  })

  readonly #byTopic = this.cachedRead({
    name: 'findByTopic',
    queryType: 'byTopic',
    ttlMs: 60_000,
    // the topic's own row matters too: deleting it turns this answer into NotFound
    tags: ({ topicId }: { topicId: number } & ListOptions<DocumentSort> & { include?: DocumentInclude[] }) => [
      documentTags.list,
      documentTags.all,
      topicTags.row(topicId),
    ],
    load: async (db, { topicId, include, ...options }) => {
      const query = this.selectRows(tableDb(db), include ?? [])
      const page = await this.page(tableDb(db), query, { topicId: this.validId(topicId) }, options)
      if (page.items.length === 0) await this.#assertExists(db, 'topics', topicId)
      return page
    },
  })

  /**
   * Changes the document's fields and, with `topicIds`, its topics — one
   * statement. The result lists the document's topics.
   */
  override update(id: number, patch: DocumentPatch, options: DocumentUpdateOptions = {}): Promise<DocumentRow> {
    return super.update(id, patch, options)
  }

  /**
   * Documents reachable from `id` over links (either direction), each once at
   * its smallest depth, the start excluded, nearest first: one page of them
   * (`limit`, and the byte budget), with a cursor to the next. One query.
   */
  findRelatedDocuments(id: number, options: RelatedOptions = {}): Promise<Page<RelatedDocument>> {
    const { maxDepth = 2, limit, cursor } = options
    return this.#related({ id, maxDepth, limit, cursor }, options)
  }

  /**
   * One page of the documents that have this topic; NotFoundError for a topic
   * not in the organization. One query; an empty page asks a second whether
   * the topic exists (a document with the topic proves it does).
   */
  findByTopic(topicId: number, options: DocumentListOptions = {}): Promise<Page<DocumentRow>> {
    return this.#byTopic({ topicId, ...pageOf(options), include: canonicalInclude(options.include) }, options)
  }

  /** Makes `topicIds` the document's exact set of topics. One statement. */
  setTopics(documentId: number, topicIds: readonly number[]): Promise<void> {
    return this.writeOne(
      'setTopics',
      'write',
      (db) => {
        const chain = withDocument(tableDb(db), 'target', this.orgId, this.validId(documentId))
        return selectFound(replaceTopics(chain, 'target', this.orgId, this.#topicIdsOf(topicIds)), 'target')
      },
      ({ rows }, hooks) => {
        if (!rows[0]?.found) throw this.notFound(documentId)
        // graph answers carry each related document's topics too
        hooks.invalidate([documentTags.row(documentId), documentTags.list, documentTags.graph])
      },
    )
  }

  /** Links two documents of the organization (idempotent); ForeignKeyError if the target is not one of them. One statement. */
  link(sourceId: number, targetId: number): Promise<void> {
    return this.writeOne(
      'link',
      'write',
      (db) => {
        const source = withDocument(tableDb(db), 'source', this.orgId, this.validId(sourceId))
        const linked = source.with('linked', (qc) =>
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
        hooks.invalidate([documentTags.graph])
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
        hooks.invalidate([documentTags.graph])
      },
    )
  }

  /**
   * A document with its topics and summary, in one statement: `inserted`
   * writes the row, `linked` and `summarized` its relations, and `created`
   * returns it with `topicIds` when topics were given and `summaries` when a
   * summary was.
   */
  protected override createStatement(db: TableDb, inputs: readonly NewDocumentInput[]): TableChain {
    const [input, ...others] = inputs
    if (!input || others.length > 0) return super.createStatement(db, inputs)
    const { topicIds, summary, ...fields } = input
    const ids = this.#topicIdsOf(topicIds ?? [])
    let chain = db.with('inserted', (qc) =>
      qc
        .insertInto('documents')
        .values({ ...this.writableValues(fields, 'create'), organizationId: this.orgId })
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

  protected override updateOne(
    db: TableDb,
    id: number,
    patch: DocumentPatch,
    options: DocumentUpdateOptions,
  ): OneStatement {
    const values = this.writableValues(patch, 'update')
    const topicIds = options.topicIds && this.#topicIdsOf(options.topicIds)
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
   * What else a write changes: graph answers (an update, a delete), the
   * summaries a deleted document takes along, the summaries' lists when a
   * document was created with one.
   */
  protected override writeTags(action: WriteAction, rows: readonly DocumentRow[]): Tag[] {
    const tags = super.writeTags(action, rows)
    if (action === 'update') tags.push(documentTags.graph)
    if (action === 'delete') tags.push(documentTags.graph, summaryTags.all)
    if (action === 'create' && rows.some((row) => row.summaries?.length)) tags.push(summaryTags.list)
    return tags
  }

  protected override selectRows(db: TableDb, include: readonly DocumentInclude[]): TableSelect {
    const unknown = include.find((relation) => !INCLUDES.includes(relation))
    if (unknown) throw new ValidationError(`unknown include "${unknown}"; allowed: ${INCLUDES.join(', ')}`)
    let query = this.scoped(db).selectAll('documents')
    if (include.includes('topics')) query = query.select(topicIdsColumn('documents', this.orgId))
    if (include.includes('summaries')) query = query.select(summariesColumn())
    return query
  }

  protected override toRow(row: Record<string, unknown>): DocumentRow {
    const document = super.toRow(row)
    const summaries = row.summaries as Array<{ id: number; text: string; createdAt: string }> | undefined
    if (!summaries) return document
    return {
      ...document,
      summaries: summaries.map((s) => ({ id: s.id, text: s.text, createdAt: new Date(s.createdAt) })),
    }
  }

  /** Ids as a set: positive integers, deduplicated, ascending (the order `topicIds` are listed in). */
  #topicIdsOf(topicIds: readonly number[]): number[] {
    if (!Array.isArray(topicIds)) throw new ValidationError('topicIds must be an array of ids')
    return [...new Set(topicIds.map((topicId) => this.validId(topicId)))].sort((a, b) => a - b)
  }

  async #assertExists(db: Kysely<DB>, table: 'documents' | 'topics', id: number): Promise<void> {
    const row = await db
      .selectFrom(table)
      .select('id')
      .where('organizationId', '=', this.orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError(`${table} ${id} not found`)
  }
}

instrument(DocumentRepository, ['setTopics', 'link', 'unlink'])
