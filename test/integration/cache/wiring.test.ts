/**
 * The repositories read through the cache and every write invalidates what
 * it can affect: graph walks, by-topic pages, eager-loaded relations.
 */
import type { DocumentsFactory, DocumentsScope } from '@serverless-dal/documents'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CacheFixture, cacheFixture, PATIENT } from '../../support/cache-fixtures.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
let factory: DocumentsFactory
let reader: DocumentsFactory
beforeAll(async () => {
  fx = await cacheFixture()
  factory = fx.backend.factory({ cache: { redis: fx.client(), ...PATIENT } })
  // another isolate with no memory tier: it sees exactly what Redis serves
  reader = fx.backend.factory({ cache: { redis: fx.client(), memory: false, ...PATIENT } })
})
afterAll(() => fx?.close())

/** Reads twice through the other isolate: the second answer must be a cache hit equal to the first. */
async function readTwice<T>(read: (repos: DocumentsScope) => Promise<T>, org: string): Promise<T> {
  const repos = reader.forTenant({ orgId: org, role: 'viewer' })
  const first = await read(repos)
  await reader.cache?.idle()
  const second = await read(repos)
  expect(second).toEqual(first)
  expect(repos.cacheOutcomes.at(-1)).toBe('redis-hit')
  return second
}

describe('reads through the cache and invalidation on writes', () => {
  it('keeps values exact through Redis: dates, nulls, nested relations', async () => {
    const org = orgId('exact')
    const repos = factory.forTenant({ orgId: org, role: 'admin' })
    const doc = await repos.documents.create({ title: 'exact' })
    await repos.summaries.create({ documentId: doc.id, text: 'sum' })
    const cached = await readTwice((r) => r.documents.findById(doc.id, { include: ['topics', 'summaries'] }), org)
    expect(cached.createdAt).toBeInstanceOf(Date)
    expect(cached.summaries?.[0]?.createdAt).toBeInstanceOf(Date)
    expect(cached).toEqual(
      await repos.transaction((tx) => tx.documents.findById(doc.id, { include: ['topics', 'summaries'] })),
    )
  })

  it('treats includes in any order, or none and an empty list, as the same query', async () => {
    const org = orgId('include-order')
    const repos = factory.forTenant({ orgId: org, role: 'admin' })
    const doc = await repos.documents.create({ title: 'x' })
    await repos.documents.findById(doc.id, { include: ['topics', 'summaries'] })
    await repos.documents.findById(doc.id, { include: ['summaries', 'topics', 'topics'] })
    await repos.documents.findById(doc.id)
    await repos.documents.findById(doc.id, { include: [] })
    expect(repos.cacheOutcomes).toEqual(['miss', 'memory-hit', 'miss', 'memory-hit'])
  })

  it('invalidates graph walks on link, unlink, and changes to a related document', async () => {
    const org = orgId('graph')
    const repos = factory.forTenant({ orgId: org, role: 'admin' })
    const [a, b, c] = await repos.documents.createMany([{ title: 'a' }, { title: 'b' }, { title: 'c' }])
    const related = async () => (await readTwice((r) => r.documents.findRelatedDocuments(a!.id), org)).items
    expect(await related()).toEqual([])
    await repos.documents.link(a!.id, b!.id)
    expect((await related()).map((x) => x.document.title)).toEqual(['b'])
    await repos.documents.update(b!.id, { title: 'b renamed' })
    expect((await related()).map((x) => x.document.title)).toEqual(['b renamed'])
    await repos.documents.link(b!.id, c!.id)
    expect((await related()).map((x) => [x.document.title, x.depth])).toEqual([
      ['b renamed', 1],
      ['c', 2],
    ])
    await repos.documents.delete(c!.id)
    await repos.documents.unlink(a!.id, b!.id)
    expect(await related()).toEqual([])
  })

  it('invalidates by-topic pages and topicIds on setTopics and topic deletion', async () => {
    const org = orgId('topics')
    const repos = factory.forTenant({ orgId: org, role: 'admin' })
    const topic = await repos.topics.create({ name: 'finance' })
    const doc = await repos.documents.create({ title: 'report' })
    const byTopic = () => readTwice((r) => r.documents.findByTopic(topic.id), org)
    expect((await byTopic()).items).toEqual([])
    await repos.documents.setTopics(doc.id, [topic.id])
    expect((await byTopic()).items.map((d) => d.title)).toEqual(['report'])
    expect((await readTwice((r) => r.documents.findById(doc.id, { include: ['topics'] }), org)).topicIds).toEqual([
      topic.id,
    ])
    await repos.topics.delete(topic.id)
    expect((await readTwice((r) => r.documents.findById(doc.id, { include: ['topics'] }), org)).topicIds).toEqual([])
    await expect(
      reader.forTenant({ orgId: org, role: 'viewer' }).documents.findByTopic(topic.id),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
    })
  })

  it("invalidates a document's eager-loaded summaries when a summary changes", async () => {
    const org = orgId('summaries')
    const repos = factory.forTenant({ orgId: org, role: 'admin' })
    const doc = await repos.documents.create({ title: 'with summaries' })
    const summaries = async () =>
      (await readTwice((r) => r.documents.findById(doc.id, { include: ['summaries'] }), org)).summaries?.map(
        (s) => s.text,
      )
    expect(await summaries()).toEqual([])
    const summary = await repos.summaries.create({ documentId: doc.id, text: 'first' })
    expect(await summaries()).toEqual(['first'])
    await repos.summaries.update(summary.id, { text: 'edited' })
    expect(await summaries()).toEqual(['edited'])
    await repos.summaries.delete(summary.id)
    expect(await summaries()).toEqual([])
  })

  it('invalidates lists on create, and honours a per-call TTL', async () => {
    const org = orgId('lists')
    const repos = factory.forTenant({ orgId: org, role: 'admin' })
    const titles = async () =>
      (await readTwice((r) => r.documents.findMany({}, { sort: 'title' }), org)).items.map((d) => d.title)
    expect(await titles()).toEqual([])
    await repos.documents.create({ title: 'one' })
    expect(await titles()).toEqual(['one'])
    const short = reader.forTenant({ orgId: org, role: 'viewer' })
    await short.documents.findMany({ status: 'draft' }, { cacheTtlMs: 50 })
    await reader.cache?.idle()
    await new Promise((resolve) => setTimeout(resolve, 80))
    await short.documents.findMany({ status: 'draft' }, { cacheTtlMs: 50 })
    expect(short.cacheOutcomes).toEqual(['miss', 'stale'])
  })

  it('counts hits, misses and stale answers per tier and query', async () => {
    const stats = reader.cache!.stats()
    expect(stats.tiers.redis['documents.findById']?.hits).toBeGreaterThan(0)
    expect(stats.tiers.redis['documents.findRelatedDocuments']?.misses).toBeGreaterThan(0)
    expect(stats.tiers.redis['documents.findByTopic']?.hits).toBeGreaterThan(0)
    expect(stats.tiers.redis['documents.findMany']?.staleServed).toBeGreaterThan(0)
    expect(factory.cache!.stats().invalidations.sent).toBeGreaterThan(0)
  })
})
