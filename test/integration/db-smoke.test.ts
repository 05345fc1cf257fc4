/**
 * One contract, two backends: the schema and the database layer behave the
 * same on the embedded PGlite and on real Postgres through the Neon driver.
 */
import type { DB } from '@serverless-dal/documents'
import type { Database } from '@serverless-dal/repository'
import { AbortedTransactionError, type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends } from '../support/backends.ts'

describe.each(backends.map((make) => make()))('schema and database layer on $name', (backend) => {
  let database: Database
  let db: Kysely<DB>

  beforeAll(async () => {
    database = await backend.open()
    db = database.db
    await db
      .insertInto('organizations')
      .values([
        { id: 'acme', name: 'Acme' },
        { id: 'globex', name: 'Globex' },
      ])
      .execute()
  })
  afterAll(() => backend.close())

  const newDocument = (organizationId: string, title: string) =>
    db.insertInto('documents').values({ organizationId, title }).returningAll().executeTakeFirstOrThrow()

  it('fills document defaults and maps columns to camelCase', async () => {
    const doc = await newDocument('acme', 'First')
    expect(doc).toMatchObject({ organizationId: 'acme', title: 'First', body: '', status: 'draft', version: 1 })
    expect(typeof doc.id).toBe('number')
    expect(doc.createdAt).toBeInstanceOf(Date)
    expect(doc.updatedAt).toBeInstanceOf(Date)
  })

  it('rejects an unknown status and a malformed organization id', async () => {
    await expect(
      db
        .insertInto('documents')
        .values({ organizationId: 'acme', title: 't', status: 'lost' as 'draft' })
        .execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'documents_status_known' })
    await expect(db.insertInto('organizations').values({ id: 'has space', name: 'x' }).execute()).rejects.toMatchObject(
      { code: '23514' },
    )
    await expect(
      db
        .insertInto('organizations')
        .values({ id: 'x'.repeat(65), name: 'x' })
        .execute(),
    ).rejects.toMatchObject({ code: '23514' })
  })

  it('keeps links, topics and summaries inside one organization by foreign key', async () => {
    const mine = await newDocument('acme', 'Mine')
    const theirs = await newDocument('globex', 'Theirs')
    const theirTopic = await db
      .insertInto('topics')
      .values({ organizationId: 'globex', name: 'secret' })
      .returningAll()
      .executeTakeFirstOrThrow()

    await expect(
      db
        .insertInto('documentLinks')
        .values({ organizationId: 'acme', sourceId: mine.id, targetId: theirs.id })
        .execute(),
    ).rejects.toMatchObject({ code: '23503', constraint: 'document_links_target_fkey' })
    await expect(
      db
        .insertInto('documentTopics')
        .values({ organizationId: 'acme', documentId: mine.id, topicId: theirTopic.id })
        .execute(),
    ).rejects.toMatchObject({ code: '23503', constraint: 'document_topics_topic_fkey' })
    await expect(
      db.insertInto('summaries').values({ organizationId: 'acme', documentId: theirs.id, text: 'x' }).execute(),
    ).rejects.toMatchObject({ code: '23503', constraint: 'summaries_document_fkey' })
  })

  it('makes topic names unique per organization only', async () => {
    await db.insertInto('topics').values({ organizationId: 'acme', name: 'shared name' }).execute()
    await db.insertInto('topics').values({ organizationId: 'globex', name: 'shared name' }).execute()
    await expect(
      db.insertInto('topics').values({ organizationId: 'acme', name: 'shared name' }).execute(),
    ).rejects.toMatchObject({ code: '23505', constraint: 'topics_organization_id_name_key' })
  })

  it('refuses a self link and cascades a deleted document to its links, topics and summaries', async () => {
    const a = await newDocument('acme', 'A')
    const b = await newDocument('acme', 'B')
    const topic = await db
      .insertInto('topics')
      .values({ organizationId: 'acme', name: 'cascade' })
      .returningAll()
      .executeTakeFirstOrThrow()
    await expect(
      db.insertInto('documentLinks').values({ organizationId: 'acme', sourceId: a.id, targetId: a.id }).execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'document_links_not_self' })
    await db.insertInto('documentLinks').values({ organizationId: 'acme', sourceId: a.id, targetId: b.id }).execute()
    await db
      .insertInto('documentTopics')
      .values({ organizationId: 'acme', documentId: a.id, topicId: topic.id })
      .execute()
    await db.insertInto('summaries').values({ organizationId: 'acme', documentId: a.id, text: 'sum' }).execute()

    const deleted = await db.deleteFrom('documents').where('id', '=', a.id).executeTakeFirst()
    expect(deleted.numDeletedRows).toBe(1n)
    const left = await sql<{ links: number; topics: number; summaries: number }>`
      select (select count(*) from document_links where source_id = ${a.id} or target_id = ${a.id}) as links,
             (select count(*) from document_topics where document_id = ${a.id}) as topics,
             (select count(*) from summaries where document_id = ${a.id}) as summaries`.execute(db)
    expect(left.rows).toEqual([{ links: 0, topics: 0, summaries: 0 }])
  })

  it('reports affected rows of updates, including none', async () => {
    const doc = await newDocument('acme', 'Versioned')
    const bumped = await db
      .updateTable('documents')
      .set((eb) => ({ title: 'Versioned 2', version: eb('version', '+', 1) }))
      .where('id', '=', doc.id)
      .where('version', '=', 1)
      .executeTakeFirst()
    expect(bumped.numUpdatedRows).toBe(1n)
    const stale = await db
      .updateTable('documents')
      .set({ title: 'lost update' })
      .where('id', '=', doc.id)
      .where('version', '=', 1)
      .executeTakeFirst()
    expect(stale.numUpdatedRows).toBe(0n)
  })

  it('reads int8 arrays as numbers', async () => {
    const { rows } = await sql<{ ids: number[] }>`select array[1, 2, 9007199254740991]::int8[] as ids`.execute(db)
    expect(rows[0]?.ids).toEqual([1, 2, Number.MAX_SAFE_INTEGER])
  })

  it('refuses an int8 a JavaScript number cannot hold exactly', async () => {
    await expect(sql`select 9007199254740993::int8 as big`.execute(db)).rejects.toThrow(RangeError)
  })

  it('rolls back a throwing transaction and a rolled-back savepoint', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('topics').values({ organizationId: 'acme', name: 'rolled back' }).execute()
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')

    const trx = await db.startTransaction().execute()
    await trx.insertInto('topics').values({ organizationId: 'acme', name: 'kept' }).execute()
    const savepoint = await trx.savepoint('inner').execute()
    await savepoint.insertInto('topics').values({ organizationId: 'acme', name: 'undone' }).execute()
    await savepoint.rollbackToSavepoint('inner').execute()
    await trx.commit().execute()

    const names = await db.selectFrom('topics').select('name').where('organizationId', '=', 'acme').execute()
    expect(names.map((t) => t.name)).toEqual(expect.arrayContaining(['kept']))
    expect(names.map((t) => t.name)).not.toEqual(expect.arrayContaining(['rolled back']))
    expect(names.map((t) => t.name)).not.toEqual(expect.arrayContaining(['undone']))
  })

  it('keeps concurrent transactions apart', async () => {
    const failing = db.transaction().execute(async (trx) => {
      await trx.insertInto('topics').values({ organizationId: 'globex', name: 'from failing' }).execute()
      await new Promise((resolve) => setTimeout(resolve, 20))
      throw new Error('fails late')
    })
    const succeeding = db.transaction().execute(async (trx) => {
      await trx.insertInto('topics').values({ organizationId: 'globex', name: 'from succeeding' }).execute()
    })
    await expect(failing).rejects.toThrow('fails late')
    await succeeding
    const names = (await db.selectFrom('topics').select('name').where('organizationId', '=', 'globex').execute()).map(
      (t) => t.name,
    )
    expect(names).toContain('from succeeding')
    expect(names).not.toContain('from failing')
  })

  it('reports the commit of a transaction in which a statement failed as an error, not a success', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('topics').values({ organizationId: 'acme', name: 'before the failure' }).execute()
        // a foreign key violation, swallowed: Postgres has already aborted the transaction
        await trx
          .insertInto('topics')
          .values({ organizationId: 'nobody', name: 'x' })
          .execute()
          .catch(() => undefined)
      }),
    ).rejects.toBeInstanceOf(AbortedTransactionError)
    const names = (await db.selectFrom('topics').select('name').execute()).map((t) => t.name)
    expect(names).not.toContain('before the failure')
    // and the connection is usable afterwards
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }])
  })
})
