/**
 * Bounded answers, on every backend: a page ends at its byte budget as well
 * as its limit (so large rows cannot make it tens of megabytes), the graph
 * walk is paged too, and every cursor continues where its page ended, each
 * row exactly once.
 */
import type { DocumentsFactory, DocumentsScope, RelatedDocument } from '@serverless-dal/documents'
import { DEFAULT_MAX_PAGE_BYTES, type Page, ValidationError } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orgId, repositoryBackends } from '../../support/repository-backends.ts'

const KIB = 1024

describe.each(repositoryBackends.map((make) => make()))('bounded pages on $name', (backend) => {
  let factory: DocumentsFactory
  beforeAll(async () => {
    await backend.setup()
    factory = backend.factory()
  })
  afterAll(() => backend.teardown())

  const editor = (name: string) => factory.forTenant({ orgId: orgId(name), role: 'editor' })

  /** Every page of a read, following its cursors; each page's JSON size too. */
  async function allPages<T>(read: (cursor?: string) => Promise<Page<T>>) {
    const pages: Page<T>[] = []
    let cursor: string | undefined
    do {
      const page = await read(cursor)
      pages.push(page)
      cursor = page.nextCursor ?? undefined
    } while (cursor && pages.length < 50)
    return {
      pages,
      items: pages.flatMap((page) => page.items),
      bytes: pages.map((page) => JSON.stringify(page).length),
    }
  }

  it('ends a list page at about a megabyte of rows, and its cursor goes on from there', async () => {
    const repos = editor('budget-list')
    const body = 'x'.repeat(400 * KIB)
    const created = await repos.documents.createMany(Array.from({ length: 7 }, (_, i) => ({ title: `big ${i}`, body })))
    const read = await allPages((cursor) =>
      repos.documents.findMany({}, { limit: 100, sort: 'oldest', ...(cursor && { cursor }) }),
    )
    // 400 KiB rows: the third starts under the budget, the fourth would not
    expect(read.pages.map((page) => page.items.length)).toEqual([3, 3, 1])
    expect(read.items.map((doc) => doc.id)).toEqual(created.map((doc) => doc.id))
    for (const bytes of read.bytes) expect(bytes).toBeLessThan(DEFAULT_MAX_PAGE_BYTES + 410 * KIB)
  })

  it('still answers a row larger than the budget, one to a page', async () => {
    const repos = editor('budget-huge')
    // the largest body the schema allows, and a summary: over a megabyte of JSON
    const huge = { body: 'y'.repeat(1_000_000), summary: 's'.repeat(100_000) }
    await repos.documents.createMany([{ title: 'huge 1', ...huge }])
    await repos.documents.create({ title: 'huge 2', ...huge })
    await repos.documents.create({ title: 'small' })
    const read = await allPages((cursor) =>
      repos.documents.findMany({}, { sort: 'oldest', include: ['summaries'], ...(cursor && { cursor }) }),
    )
    expect(read.pages.map((page) => page.items.map((doc) => doc.title))).toEqual([['huge 1'], ['huge 2'], ['small']])
  })

  it('bounds documents by topic by the same budget', async () => {
    const repos = editor('budget-topic')
    const topic = await repos.topics.create({ name: 'big ones' })
    const body = 'z'.repeat(600 * KIB)
    for (const title of ['t1', 't2', 't3']) await repos.documents.create({ title, body, topicIds: [topic.id] })
    const first = await repos.documents.findByTopic(topic.id, { limit: 100 })
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor).not.toBeNull()
  })

  describe('the graph walk', () => {
    let repos: DocumentsScope
    let hub: number
    let linked: number[]
    beforeAll(async () => {
      repos = editor('budget-walk')
      const docs = await repos.documents.createMany(Array.from({ length: 46 }, (_, i) => ({ title: `n${i}` })))
      hub = docs[0]!.id
      linked = docs.slice(1).map((doc) => doc.id)
      for (const id of linked) await repos.documents.link(hub, id)
    })

    const ids = (items: RelatedDocument[]) => items.map((item) => item.document.id)

    it('answers a hub with many links a page at a time (20 by default), each document once', async () => {
      const read = await allPages((cursor) => repos.documents.findRelatedDocuments(hub, cursor ? { cursor } : {}))
      expect(read.pages.map((page) => page.items.length)).toEqual([20, 20, 5])
      expect(ids(read.items)).toEqual(linked)
      expect(read.pages.at(-1)?.nextCursor).toBeNull()
    })

    it('takes a limit from 1 to 100', async () => {
      expect((await repos.documents.findRelatedDocuments(hub, { limit: 100 })).items).toHaveLength(45)
      for (const limit of [0, 101, 2.5]) {
        await expect(repos.documents.findRelatedDocuments(hub, { limit })).rejects.toBeInstanceOf(ValidationError)
      }
    })

    it("refuses a cursor from another walk: another start, another depth, another organization's", async () => {
      const { nextCursor } = await repos.documents.findRelatedDocuments(hub, { limit: 5 })
      const cursor = nextCursor as string
      await expect(repos.documents.findRelatedDocuments(linked[0]!, { cursor })).rejects.toBeInstanceOf(ValidationError)
      await expect(repos.documents.findRelatedDocuments(hub, { maxDepth: 3, cursor })).rejects.toBeInstanceOf(
        ValidationError,
      )
      await expect(repos.documents.findMany({}, { cursor })).rejects.toBeInstanceOf(ValidationError)
      const other = editor('budget-walk-other')
      const theirs = await other.documents.create({ title: 'theirs' })
      await expect(other.documents.findRelatedDocuments(theirs.id, { cursor })).rejects.toBeInstanceOf(ValidationError)
    })

    it('ends a page of large related documents at the byte budget', async () => {
      const big = editor('budget-walk-big')
      const [start, ...rest] = await big.documents.createMany([
        { title: 'start' },
        ...Array.from({ length: 4 }, (_, i) => ({ title: `big ${i}`, body: 'w'.repeat(450 * KIB) })),
      ])
      for (const doc of rest) await big.documents.link(start!.id, doc.id)
      const read = await allPages((cursor) => big.documents.findRelatedDocuments(start!.id, cursor ? { cursor } : {}))
      expect(read.pages.map((page) => page.items.length)).toEqual([3, 1])
      expect(ids(read.items)).toEqual(rest.map((doc) => doc.id))
    })
  })
})
