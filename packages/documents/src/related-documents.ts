/**
 * The graph walk behind `findRelatedDocuments`: one recursive CTE.
 *
 * Links count in both directions (a link from A to B relates B to A). The walk
 * keeps (document, depth) pairs with UNION, so a cycle cannot loop and a
 * diamond cannot multiply rows; the outer query keeps each document once, at
 * its smallest depth, and drops the start. Every step is limited to the
 * organization, and links cannot cross organizations anyway (composite keys).
 * Each document comes with its topic ids, as every document of the API does.
 *
 * Answers are pages in (depth, id) order, like every list: a limit, the byte
 * budget, and a signed cursor bound to the walk (organization, start, depth).
 */
import {
  type CursorCodec,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type Page,
  type RepositoryError,
  ValidationError,
  withinByteBudget,
} from '@serverless-dal/repository'
import { type QueryExecutorProvider, sql } from 'kysely'
import { topicIdsColumn } from './document-statements.ts'
import { MAX_RELATED_DEPTH, type RelatedDocument } from './document-types.ts'

/** A page of a walk: its cache key's parameters. */
export interface RelatedParams {
  id: number
  maxDepth: number
  limit?: number | undefined
  cursor?: string | undefined
}

/** What the page needs of its repository. */
export interface WalkContext {
  orgId: string
  cursors: CursorCodec
  maxPageBytes: number
  validId(id: number): number
  notFound(id: number): RepositoryError
}

/** A related document, its depth, and whether the start exists (one row with null columns when nothing is related). */
type RelatedRow = RelatedDocument['document'] & { depth: number; startExists: boolean }

/** In (depth, id) order, as the page and its byte budget read it. */
const RELATED_ORDER = [
  { column: 'depth', direction: 'asc' },
  { column: 'id', direction: 'asc' },
] as const

export async function relatedPage(
  db: QueryExecutorProvider,
  { id, maxDepth, limit = DEFAULT_LIMIT, cursor }: RelatedParams,
  walk: WalkContext,
): Promise<Page<RelatedDocument>> {
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_RELATED_DEPTH) {
    throw new ValidationError(`maxDepth must be an integer from 1 to ${MAX_RELATED_DEPTH}`)
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_LIMIT}`)
  }
  const cursorQuery = { orgId: walk.orgId, repository: 'documents', sort: 'related', filter: { id, maxDepth } }
  const after = cursor === undefined ? undefined : await walk.cursors.decode(cursorQuery, cursor)
  const query = relatedDocumentsQuery(
    walk.orgId,
    walk.validId(id),
    maxDepth,
    limit + 1,
    after && Number(after.value),
    after?.id,
  )
  const { rows, fetched } = await withinByteBudget<RelatedRow>(db, query, RELATED_ORDER, walk.maxPageBytes)
  if (!rows[0]?.startExists) throw walk.notFound(id)
  const items = rows
    .filter((row) => row.id !== null)
    .slice(0, limit)
    .map(({ depth, startExists: _, ...document }) => ({ document, depth: Number(depth) }))
  const last = items.at(-1)
  const more = last && fetched > items.length
  const nextCursor = more ? await walk.cursors.encode(cursorQuery, { value: last.depth, id: last.document.id }) : null
  return { items, nextCursor }
}

/** `rows` documents of the walk after (afterDepth, afterId), with whether the start exists. */
function relatedDocumentsQuery(
  orgId: string,
  startId: number,
  maxDepth: number,
  rows: number,
  afterDepth?: number,
  afterId?: number,
) {
  const afterCursor =
    afterDepth === undefined ? sql`` : sql`and (nearest.depth, nearest.id) > (${afterDepth}, ${afterId}::bigint)`
  return sql`
    with recursive walk(id, depth) as (
      select ${startId}::bigint, 0
      union
      select neighbour.id, walk.depth + 1
      from walk
      join lateral (
        select l.target_id as id from document_links l where l.organization_id = ${orgId} and l.source_id = walk.id
        union all
        select l.source_id from document_links l where l.organization_id = ${orgId} and l.target_id = walk.id
      ) neighbour on true
      where walk.depth < ${maxDepth}
    ),
    nearest as (
      select id, min(depth) as depth from walk where id <> ${startId} group by id
    ),
    related as (
      select d.*, nearest.depth, ${topicIdsColumn('d', orgId)}
      from nearest
      join documents d on d.organization_id = ${orgId} and d.id = nearest.id
      where true ${afterCursor}
      order by nearest.depth, nearest.id
      limit ${rows}
    )
    select related.*, start.start_exists
    from (select exists(select 1 from documents where organization_id = ${orgId} and id = ${startId}) as start_exists) start
    left join related on true
    order by related.depth, related.id`
}
