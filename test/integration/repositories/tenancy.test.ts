/**
 * Two organizations on one database: the repositories' own organization
 * filter, and Postgres row-level security as the second wall behind it.
 */
import type { DB, DocumentsFactory, DocumentsScope } from '@serverless-dal/documents'
import { ForbiddenError, ForeignKeyError, NestedTransactionError, NotFoundError } from '@serverless-dal/repository'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orgId, repositoryBackends } from '../../support/repository-backends.ts'

describe.each(repositoryBackends.map((make) => make()))('tenancy on $name', (backend) => {
  let factory: DocumentsFactory
  beforeAll(async () => {
    await backend.setup()
    factory = backend.factory()
  })
  afterAll(() => backend.teardown())

  describe("organization A's scope on organization B's ids", () => {
    let a: DocumentsScope
    let b: DocumentsScope
    let theirs: { docId: number; linkedId: number; topicId: number; summaryId: number }
    let before: unknown

    /** Everything B can see, to prove A changed nothing. */
    const snapshot = async () => ({
      documents: (await b.documents.findMany({}, { include: ['topics', 'summaries'], limit: 100 })).items,
      topics: (await b.topics.findMany()).items,
      related: await b.documents.findRelatedDocuments(theirs.docId),
    })

    beforeAll(async () => {
      a = factory.forTenant({ orgId: orgId('a'), role: 'admin' })
      b = factory.forTenant({ orgId: orgId('b'), role: 'admin' })
      await a.documents.create({ title: 'A owns this' })
      const [doc, linked] = await b.documents.createMany([{ title: 'B secret' }, { title: 'B linked' }])
      const topic = await b.topics.create({ name: 'B topic' })
      await b.documents.setTopics(doc!.id, [topic.id])
      await b.documents.link(doc!.id, linked!.id)
      const summary = await b.summaries.create({ documentId: doc!.id, text: 'B summary' })
      theirs = { docId: doc!.id, linkedId: linked!.id, topicId: topic.id, summaryId: summary.id }
      before = await snapshot()
    })

    it("answers NotFound for every method that names one of B's rows", async () => {
      const { docId, linkedId, topicId, summaryId } = theirs
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['documents.findById', () => a.documents.findById(docId)],
        ['documents.update', () => a.documents.update(docId, { title: 'pwned' })],
        ['documents.update with version', () => a.documents.update(docId, { title: 'pwned' }, { expectedVersion: 1 })],
        ['documents.delete', () => a.documents.delete(docId)],
        ['documents.findRelatedDocuments', () => a.documents.findRelatedDocuments(docId, { maxDepth: 5 })],
        ['documents.findByTopic', () => a.documents.findByTopic(topicId)],
        ['documents.setTopics', () => a.documents.setTopics(docId, [])],
        ['documents.link', () => a.documents.link(docId, linkedId)],
        ['documents.unlink', () => a.documents.unlink(docId, linkedId)],
        ['topics.findById', () => a.topics.findById(topicId)],
        ['topics.update', () => a.topics.update(topicId, { name: 'pwned' })],
        ['topics.delete', () => a.topics.delete(topicId)],
        ['summaries.findById', () => a.summaries.findById(summaryId)],
        ['summaries.update', () => a.summaries.update(summaryId, { text: 'pwned' })],
        ['summaries.delete', () => a.summaries.delete(summaryId)],
      ]
      for (const [name, attempt] of attempts) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        )
        expect({ name, error: (error as Error)?.name }).toEqual({ name, error: NotFoundError.name })
      }
      expect(await a.documents.exists(docId)).toBe(false)
      expect(await snapshot()).toEqual(before)
    })

    it("never lists, counts or filters in B's rows, and cannot attach them", async () => {
      expect((await a.documents.findMany({}, { limit: 100 })).items.map((d) => d.title)).toEqual(['A owns this'])
      expect(await a.documents.count()).toBe(1)
      expect((await a.documents.findMany({ topicId: theirs.topicId })).items).toEqual([])
      expect((await a.topics.findMany()).items).toEqual([])
      expect((await a.summaries.findMany({ documentId: theirs.docId })).items).toEqual([])
      await expect(a.summaries.create({ documentId: theirs.docId, text: 'x' })).rejects.toBeInstanceOf(ForeignKeyError)
      const mine = (await a.documents.findMany()).items[0]!
      await expect(a.documents.setTopics(mine.id, [theirs.topicId])).rejects.toBeInstanceOf(ForeignKeyError)
      await expect(a.documents.link(mine.id, theirs.docId)).rejects.toBeInstanceOf(ForeignKeyError)
      expect(await snapshot()).toEqual(before)
    })
  })

  it('provisions an organization on its first write, idempotently', async () => {
    const org = orgId('new')
    const repos = factory.forTenant({ orgId: org, role: 'editor' })
    const countOrgs = async () =>
      (await repos.read((db) => sql<{ n: number }>`select count(*) as n from organizations`.execute(db))).rows[0]?.n
    expect(await countOrgs()).toBe(0)
    await repos.documents.create({ title: 'first' })
    expect(await countOrgs()).toBe(1)
    // a second factory (another isolate) provisions again without error
    await backend.factory().forTenant({ orgId: org, role: 'editor' }).topics.create({ name: 'second' })
    expect(await countOrgs()).toBe(1)
  })

  it("with RLS, a raw query without the organization filter sees only the tenant's rows", async () => {
    const a = factory.forTenant({ orgId: orgId('rls-a'), role: 'editor' })
    const b = factory.forTenant({ orgId: orgId('rls-b'), role: 'editor' })
    await a.documents.createMany([{ title: 'a1' }, { title: 'a2' }])
    await b.documents.create({ title: 'b1' })
    const everything = async (repos: DocumentsScope) =>
      (await repos.read((db) => sql<{ title: string }>`select title from documents order by title`.execute(db))).rows
    expect(await everything(a)).toEqual([{ title: 'a1' }, { title: 'a2' }])
    expect(await everything(b)).toEqual([{ title: 'b1' }])
  })

  it('with RLS, a raw write into another organization is refused by the database', async () => {
    const a = factory.forTenant({ orgId: orgId('rls-w'), role: 'editor' })
    const other = orgId('rls-victim')
    await factory.forTenant({ orgId: other, role: 'editor' }).documents.create({ title: 'victim' })
    await expect(
      a.write((db) => sql`insert into documents (organization_id, title) values (${other}, 'planted')`.compile(db)),
    ).rejects.toBeInstanceOf(ForbiddenError)
    const { numAffectedRows } = await a.write((db) =>
      sql`update documents set title = 'pwned' where organization_id = ${other}`.compile(db),
    )
    expect(numAffectedRows).toBe(0n)
  })

  it("refuses a viewer's write in the code path and, with the check bypassed, at the database", async () => {
    const org = orgId('viewer')
    await factory.forTenant({ orgId: org, role: 'editor' }).documents.create({ title: 'existing' })
    const viewer = factory.forTenant({ orgId: org, role: 'viewer' })
    await expect(viewer.documents.create({ title: 'nope' })).rejects.toBeInstanceOf(ForbiddenError)
    expect((await viewer.documents.findMany()).items.map((d) => d.title)).toEqual(['existing'])
    // `read` skips the role's write check: the read-only transaction is what refuses
    const error = await viewer
      .read((db) => sql`insert into documents (organization_id, title) values (${org}, 'sneaky')`.execute(db))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ForbiddenError)
    expect((error as Error).message).toBe('the transaction is read-only')
    expect((await viewer.documents.findMany()).items.map((d) => d.title)).toEqual(['existing'])
  })

  it("refuses a transaction begun inside a tenant's read or write: it would run without the tenant's settings", async () => {
    const mine = factory.forTenant({ orgId: orgId('nested-a'), role: 'editor' })
    await factory.forTenant({ orgId: orgId('nested-b'), role: 'editor' }).documents.create({ title: 'secret of b' })
    const everything = (db: Kysely<DB>) => sql<{ title: string }>`select title from documents`.execute(db)
    await expect(mine.read((db) => db.transaction().execute(everything))).rejects.toBeInstanceOf(NestedTransactionError)
    await expect(mine.read(async (db) => everything(await db.startTransaction().execute()))).rejects.toBeInstanceOf(
      NestedTransactionError,
    )
  })

  it('with RLS off, reads still cost one round trip and stay filtered by organization', async () => {
    const org = orgId('no-rls')
    const on = factory.forTenant({ orgId: org, role: 'editor' })
    const doc = await on.documents.create({ title: 'x' })
    await factory.forTenant({ orgId: orgId('no-rls-other'), role: 'editor' }).documents.create({ title: 'other' })
    const off = backend.factory({ rowLevelSecurity: false }).forTenant({ orgId: org, role: 'editor' })

    backend.clearQueries()
    await on.documents.findById(doc.id)
    const withRls = backend.roundTrips.length
    backend.clearQueries()
    await off.documents.findById(doc.id)
    expect({ withRls, withoutRls: backend.roundTrips.length }).toEqual({ withRls: 1, withoutRls: 1 })
    expect((await off.documents.findMany()).items.map((d) => d.title)).toEqual(['x'])
  })
})
