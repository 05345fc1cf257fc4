/**
 * The CTEs of the document repository's writes: the document a write
 * starts from, its topics assigned or replaced, and its summary created, in
 * the statement that writes the document — so a create with topics and a summary, or an update
 * with new topics, is one statement and one round trip.
 */
import { sql } from 'kysely'
import type { AnyChain, AnyDb } from './definition.ts'

/** CTE `name`: the organization's document `id` (no row when it has none). */
export function withDocument(db: AnyDb, name: string, orgId: string, id: number): AnyChain {
  return db.with(name, (qc) =>
    qc.selectFrom('documents').select('id').where('organizationId', '=', orgId).where('id', '=', id),
  )
}

/** Ends a chain with one row, `found`: whether CTE `name` (see `withDocument`) found the document. */
export function selectFound(chain: AnyChain, name: string) {
  return chain.selectNoFrom((eb) => eb.exists(eb.selectFrom(name).select('id')).as('found'))
}

/** CTE `linked`: assigns `ids` to the document of CTE `table`. */
export function addTopics(chain: AnyChain, table: string, orgId: string, ids: readonly number[]): AnyChain {
  return chain.with('linked', (qc) =>
    qc
      .insertInto('documentTopics')
      .columns(['organizationId', 'documentId', 'topicId'])
      .expression(
        qc
          .selectFrom([table, sql`unnest(${ids}::bigint[])`.as('t')])
          .select([sql`${orgId}::text`.as('organizationId'), `${table}.id`, sql`t`.as('topicId')]),
      )
      .onConflict((oc) => oc.doNothing()),
  )
}

/** CTEs `unlinked` and `linked`: makes `ids` the exact topics of the document of CTE `table`. */
export function replaceTopics(chain: AnyChain, table: string, orgId: string, ids: readonly number[]): AnyChain {
  const unlinked = chain.with('unlinked', (qc) =>
    qc
      .deleteFrom('documentTopics')
      .where('organizationId', '=', orgId)
      .where('documentId', 'in', qc.selectFrom(table).select('id'))
      .where(sql<boolean>`topic_id <> all(${ids}::bigint[])`),
  )
  return ids.length ? addTopics(unlinked, table, orgId, ids) : unlinked
}

/** CTE `summarized`: a summary of the document of CTE `table`. */
export function addSummary(chain: AnyChain, table: string, orgId: string, text: string): AnyChain {
  return chain.with('summarized', (qc) =>
    qc
      .insertInto('summaries')
      .columns(['organizationId', 'documentId', 'text'])
      .expression(
        qc.selectFrom(table).select([sql`${orgId}::text`.as('organizationId'), 'id', sql`${text}::text`.as('text')]),
      )
      .returning(['id', 'text', 'createdAt']),
  )
}

/** The summaries CTE `summarized` wrote, shaped as eager loading returns them. */
export const summarizedColumn = () =>
  sql<unknown[]>`(select json_agg(json_build_object('id', s.id, 'text', s.text, 'createdAt', s.created_at))
    from summarized s)`.as('summaries')

/** `topicIds` of the document in `table` (a table or CTE), as the statement found them (before its own writes). */
export const topicIdsColumn = (table: string, orgId: string) =>
  sql<number[]>`coalesce((
    select array_agg(dt.topic_id order by dt.topic_id) from document_topics dt
    where dt.organization_id = ${orgId} and dt.document_id = ${sql.ref(`${table}.id`)}), '{}')`.as('topicIds')
