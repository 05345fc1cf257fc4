/** The document repository's own queries on both backends: the graph walk, by topic, topics, links, eager loading. */
import type { DocumentsFactory, DocumentsScope } from '@serverless-dal/documents'
import { ForeignKeyError, NotFoundError, ValidationError } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orgId, repositoryBackends } from '../../support/repository-backends.ts'

describe.each(repositoryBackends.map((make) => make()))('document repository on $name', (backend) => {
  let factory: DocumentsFactory
  beforeAll(async () => {
    await backend.setup()
    factory = backend.factory()
  })
  afterAll(() => backend.teardown())

  const editor = () => factory.forTenant({ orgId: orgId('docs'), role: 'editor' })

  /** Creates documents named 1..n and returns their ids by name. */
  async function graph(repos: DocumentsScope, names: number[], links: Array<[number, number]>) {
    const docs = await repos.documents.createMany(names.map((n) => ({ title: String(n) })))
    const id = Object.fromEntries(docs.map((d) => [Number(d.title), d.id])) as Record<number, number>
    for (const [from, to] of links) await repos.documents.link(id[from] as number, id[to] as number)
    return id
  }

  describe('findRelatedDocuments', () => {
    // 1→2→3→1 is a cycle; 1→4→6 and 1→5→6 a diamond; 6→7→8→9 reaches depth 5.
    const links: Array<[number, number]> = [
      [1, 2],
      [2, 3],
      [3, 1],
      [1, 4],
      [1, 5],
      [4, 6],
      [5, 6],
      [6, 7],
      [7, 8],
      [8, 9],
    ]
    let repos: DocumentsScope
    let id: Record<number, number>
    beforeAll(async () => {
      repos = editor()
      id = await graph(repos, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], links)
    })

    const related = async (from: number, maxDepth?: number) =>
      (
        await repos.documents.findRelatedDocuments(id[from] as number, maxDepth === undefined ? {} : { maxDepth })
      ).items.map((r) => [Number(r.document.title), r.depth])

    it('walks links both ways, each document once at its smallest depth, without the start', async () => {
      expect(await related(1, 1)).toEqual([
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 1],
      ])
      expect(await related(1)).toEqual([
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 1],
        [6, 2],
      ])
      expect(await related(1, 3)).toEqual([
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 1],
        [6, 2],
        [7, 3],
      ])
      expect(await related(1, 4)).toEqual([
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 1],
        [6, 2],
        [7, 3],
        [8, 4],
      ])
      expect(await related(1, 5)).toEqual([
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 1],
        [6, 2],
        [7, 3],
        [8, 4],
        [9, 5],
      ])
      expect(await related(9, 2)).toEqual([
        [8, 1],
        [7, 2],
      ])
      expect(await related(10, 5)).toEqual([])
    })

    it('returns whole documents and refuses a depth outside 1..5', async () => {
      const [first] = (await repos.documents.findRelatedDocuments(id[1] as number, { maxDepth: 1 })).items
      expect(first?.document).toMatchObject({ id: id[2], title: '2', status: 'draft', version: 1 })
      for (const maxDepth of [0, 6, 1.5]) {
        await expect(repos.documents.findRelatedDocuments(id[1] as number, { maxDepth })).rejects.toBeInstanceOf(
          ValidationError,
        )
      }
      await expect(repos.documents.findRelatedDocuments(999_999_999)).rejects.toBeInstanceOf(NotFoundError)
    })
  })

  it("makes a link to another organization's document impossible", async () => {
    const mine = editor()
    const theirs = editor()
    const a = await mine.documents.create({ title: 'mine' })
    const b = await theirs.documents.create({ title: 'theirs' })
    await expect(mine.documents.link(a.id, b.id)).rejects.toBeInstanceOf(ForeignKeyError)
    expect(await mine.documents.findRelatedDocuments(a.id)).toEqual({ items: [], nextCursor: null })
    expect(await theirs.documents.findRelatedDocuments(b.id)).toEqual({ items: [], nextCursor: null })
  })

  it('links idempotently, unlinks, and refuses a self link', async () => {
    const repos = editor()
    const id = await graph(
      repos,
      [1, 2],
      [
        [1, 2],
        [1, 2],
      ],
    )
    expect((await repos.documents.findRelatedDocuments(id[1] as number)).items).toHaveLength(1)
    await expect(repos.documents.link(id[1] as number, id[1] as number)).rejects.toBeInstanceOf(ValidationError)
    await repos.documents.unlink(id[1] as number, id[2] as number)
    expect((await repos.documents.findRelatedDocuments(id[1] as number)).items).toEqual([])
    await expect(repos.documents.unlink(id[1] as number, id[2] as number)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('sets topics and finds documents by topic, paged', async () => {
    const repos = editor()
    const [finance, legal] = await repos.topics.createMany([{ name: 'finance' }, { name: 'legal' }])
    const docs = await repos.documents.createMany([{ title: 'a' }, { title: 'b' }, { title: 'c' }])
    for (const doc of docs) await repos.documents.setTopics(doc.id, [finance!.id])
    await repos.documents.setTopics(docs[2]!.id, [legal!.id])
    const first = await repos.documents.findByTopic(finance!.id, { limit: 1, sort: 'title' })
    const second = await repos.documents.findByTopic(finance!.id, {
      limit: 1,
      sort: 'title',
      cursor: first.nextCursor!,
    })
    expect([...first.items, ...second.items].map((d) => d.title)).toEqual(['a', 'b'])
    expect(second.nextCursor).toBeNull()
    expect((await repos.documents.findByTopic(legal!.id)).items.map((d) => d.title)).toEqual(['c'])
    expect((await repos.documents.findMany({ topicId: legal!.id })).items.map((d) => d.title)).toEqual(['c'])
    await expect(repos.documents.findByTopic(999_999_999)).rejects.toBeInstanceOf(NotFoundError)
    await expect(repos.documents.setTopics(docs[0]!.id, [999_999_999])).rejects.toBeInstanceOf(ForeignKeyError)
  })

  it('eager-loads topics and summaries in exactly one query, for one document or a page', async () => {
    const repos = editor()
    const [topicA, topicB] = await repos.topics.createMany([{ name: 'a' }, { name: 'b' }])
    const docs = await repos.documents.createMany([{ title: 'one' }, { title: 'two' }, { title: 'three' }])
    for (const doc of docs) {
      await repos.documents.setTopics(doc.id, [topicB!.id, topicA!.id])
      await repos.summaries.createMany([
        { documentId: doc.id, text: `${doc.title} short` },
        { documentId: doc.id, text: `${doc.title} long` },
      ])
    }

    backend.clearQueries()
    const one = await repos.documents.findById(docs[0]!.id, { include: ['topics', 'summaries'] })
    expect(backend.dataQueries()).toHaveLength(1)
    expect(one.topicIds).toEqual([topicA!.id, topicB!.id].sort((x, y) => x - y))
    expect(one.summaries?.map((s) => s.text)).toEqual(['one short', 'one long'])
    expect(one.summaries?.[0]?.createdAt).toBeInstanceOf(Date)

    backend.clearQueries()
    const page = await repos.documents.findMany({}, { include: ['topics', 'summaries'] })
    expect(backend.dataQueries()).toHaveLength(1)
    expect(page.items.map((d) => [d.title, d.topicIds?.length, d.summaries?.length])).toEqual([
      ['three', 2, 2],
      ['two', 2, 2],
      ['one', 2, 2],
    ])

    const plain = await repos.documents.findById(docs[0]!.id)
    expect(plain).not.toHaveProperty('topicIds')
    await expect(repos.documents.findById(docs[0]!.id, { include: ['authors' as 'topics'] })).rejects.toThrow(
      /unknown include "authors"/,
    )
  })
})
