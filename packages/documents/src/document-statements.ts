/**
 * The CTEs of the document repository's writes: the document a write
 * starts from, its topics assigned or replaced, and its summary created, in
 * the statement that writes the document — so a create with topics and a summary, or an update
 * with new topics, is one statement and one round trip.
 */
import type { TableChain, TableDb } from '@serverless-dal/repository'
import { sql } from 'kysely'

/** CTE `name`: the organization's document `id` (no row when it has none). */
export function withDocument(db: TableDb, name: string, orgId: string, id: number): TableChain {
  return db.with(name, (qc) =>
    qc.selectFrom('documents').select('id').where('organizationId', '=', orgId).where('id', '=', id),
  )
}

/** Ends a chain with one row, `found`: whether CTE `name` (see `withDocument`) found the document. */
export function selectFound(chain: TableChain, name: string) {
  return chain.selectNoFrom((eb) => eb.exists(eb.selectFrom(name).select('id')).as('found'))
}

/** CTE `linked`: assigns `ids` to the document of CTE `table`. */
export function addTopics(chain: TableChain, table: string, orgId: string, ids: readonly number[]): TableChain {
  return chain.with('linked', (qc) =>
    qc
      .insertInto('documentTopics')
      .columns(['organizationId', 'documentId', 'topicId'])
      .expression(
        qc
          .selectFrom(table)
          .innerJoin(sql`unnest(${ids}::bigint[])`.as('t'), (join) => join.onTrue())
          .select([sql`${orgId}::text`.as('organizationId'), `${table}.id`, sql`t`.as('topicId')]),
      )
      .onConflict((oc) => oc.doNothing()),
  )
}

/** CTEs `unlinked` and `linked`: makes `ids` the exact topics of the document of CTE `table`. */
export function replaceTopics(chain: TableChain, table: string, orgId: string, ids: readonly number[]): TableChain {
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
export function addSummary(chain: TableChain, table: string, orgId: string, text: string): TableChain {
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

/** `summaries` of each document read: eager loading in the same query, oldest first. */
export const summariesColumn = () =>
  sql<unknown[]>`coalesce((
    select json_agg(json_build_object('id', s.id, 'text', s.text, 'createdAt', s.created_at) order by s.id)
    from summaries s
    where s.organization_id = documents.organization_id and s.document_id = documents.id), '[]'::json)`.as('summaries')
