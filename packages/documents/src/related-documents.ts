/**
 * The graph walk behind `findRelatedDocuments`: one recursive CTE.
 *
 * Links count in both directions (a link from A to B relates B to A). The walk
 * keeps (document, depth) pairs with UNION, so a cycle cannot loop and a
 * diamond cannot multiply rows; the outer query keeps each document once, at
 * its smallest depth, and drops the start. Every step is limited to the
 * organization, and links cannot cross organizations anyway (composite keys).
 * Each document comes with its topic ids, as every document of the API does.
 */
import { sql } from 'kysely'
import { topicIdsColumn } from './document-statements.ts'
import type { RelatedDocument } from './document-types.ts'

/** A related document, its depth, and whether the start exists (one row with null columns when nothing is related). */
type RelatedRow = RelatedDocument['document'] & { depth: number; startExists: boolean }

export function relatedDocumentsQuery(orgId: string, startId: number, maxDepth: number) {
  return sql<RelatedRow>`
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
    )
    select related.*, start.start_exists
    from (select exists(select 1 from documents where organization_id = ${orgId} and id = ${startId}) as start_exists) start
    left join related on true
    order by related.depth, related.id`
}
