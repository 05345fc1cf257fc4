/** The base repository's methods, through the document, topic and summary repositories, on both backends. */
import type { DocumentsFactory } from '@serverless-dal/documents'
import { ForbiddenError, NotFoundError, ValidationError } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orgId, repositoryBackends } from '../../support/repository-backends.ts'

describe.each(repositoryBackends.map((make) => make()))('base repository on $name', (backend) => {
  let factory: DocumentsFactory
  beforeAll(async () => {
    await backend.setup()
    factory = backend.factory()
  })
  afterAll(() => backend.teardown())

  const editor = (org = orgId('crud')) => factory.forTenant({ orgId: org, role: 'editor' })

  it('creates, finds, counts and checks existence within the organization', async () => {
    const { documents } = editor()
    const created = await documents.create({ title: 'New Doc' })
    expect(created).toMatchObject({ title: 'New Doc', body: '', status: 'draft', version: 1 })
    expect(await documents.findById(created.id)).toEqual(created)
    expect(await documents.exists(created.id)).toBe(true)
    expect(await documents.exists(created.id + 1_000_000)).toBe(false)
    expect(await documents.count()).toBe(1)
    await expect(documents.findById(created.id + 1_000_000)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('creates many rows in one statement, all or none', async () => {
    const { documents } = editor()
    const rows = await documents.createMany([{ title: 'a' }, { title: 'b', status: 'published' }])
    expect(rows.map((r) => [r.title, r.status])).toEqual([
      ['a', 'draft'],
      ['b', 'published'],
    ])
    await expect(documents.createMany([{ title: 'ok' }, { title: '' }])).rejects.toBeInstanceOf(ValidationError)
    expect(await documents.count()).toBe(2)
    expect(await documents.createMany([])).toEqual([])
  })

  it('updates optimistically: bumps the version and refuses a stale one', async () => {
    const { documents } = editor()
    const doc = await documents.create({ title: 'v1' })
    const v2 = await documents.update(doc.id, { title: 'Updated' }, { expectedVersion: 1 })
    expect(v2).toMatchObject({ title: 'Updated', version: 2 })
    expect(v2.updatedAt.getTime()).toBeGreaterThanOrEqual(doc.updatedAt.getTime())
    await expect(documents.update(doc.id, { title: 'lost' }, { expectedVersion: 1 })).rejects.toMatchObject({
      name: 'ConflictError',
      reason: 'version',
    })
    expect((await documents.findById(doc.id)).title).toBe('Updated')
    expect(await documents.update(doc.id, { status: 'published' })).toMatchObject({ version: 3, status: 'published' })
    await expect(documents.update(doc.id + 1_000_000, { title: 'x' }, { expectedVersion: 1 })).rejects.toBeInstanceOf(
      NotFoundError,
    )
  })

  it('never lets a caller set or change the organization, or any field not on the whitelist', async () => {
    const { documents } = editor()
    const doc = await documents.create({ title: 'mine' })
    await expect(documents.update(doc.id, { organizationId: 'other' } as never)).rejects.toThrow(
      /cannot update the field "organizationId"/,
    )
    await expect(documents.create({ title: 't', organizationId: 'other' } as never)).rejects.toBeInstanceOf(
      ValidationError,
    )
    await expect(documents.update(doc.id, { version: 99 } as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(documents.update(doc.id, {})).rejects.toThrow(/at least one field/)
  })

  it('deletes for admins only', async () => {
    const org = orgId('delete')
    const doc = await editor(org).documents.create({ title: 'to delete' })
    await expect(editor(org).documents.delete(doc.id)).rejects.toBeInstanceOf(ForbiddenError)
    const admin = factory.forTenant({ orgId: org, role: 'admin' })
    await admin.documents.delete(doc.id)
    await expect(admin.documents.findById(doc.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(admin.documents.delete(doc.id)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('filters by equality, in, ranges and literal text search', async () => {
    const { documents } = editor()
    await documents.createMany([
      { title: '50% off', status: 'published' },
      { title: '50 percent', status: 'draft' },
      { title: 'snake_case', status: 'archived' },
      { title: 'snakeXcase', status: 'published' },
    ])
    const titles = async (filter: object) =>
      (await documents.findMany(filter as never, { sort: 'title' })).items.map((d) => d.title)
    expect(await titles({ status: 'published' })).toEqual(['50% off', 'snakeXcase'])
    expect(await titles({ status: { in: ['draft', 'archived'] } })).toEqual(['50 percent', 'snake_case'])
    expect(await titles({ title: { contains: '%' } })).toEqual(['50% off'])
    expect(await titles({ title: { contains: 'E_c' } })).toEqual(['snake_case'])
    expect(await titles({ title: { startsWith: '50' } })).toEqual(['50 percent', '50% off'])
    expect(
      await titles({ createdAt: { gte: new Date(Date.now() - 60_000), lt: new Date(Date.now() + 60_000) } }),
    ).toHaveLength(4)
    expect(await titles({ createdAt: { gt: new Date(Date.now() + 60_000) } })).toEqual([])
    expect(await documents.count({ status: 'published' })).toBe(2)
    await expect(documents.findMany({ owner: 'x' } as never)).rejects.toThrow(/unknown filter "owner"/)
    await expect(documents.findMany({}, { sort: 'random' as never })).rejects.toThrow(/unknown sort "random"/)
    for (const limit of [0, 101, 2.5]) {
      await expect(documents.findMany({}, { limit })).rejects.toBeInstanceOf(ValidationError)
    }
  })

  it('pages with no duplicates or gaps while rows are inserted concurrently', async () => {
    const { documents } = editor()
    const existing = await documents.createMany(Array.from({ length: 45 }, (_, i) => ({ title: `doc ${i}` })))
    const seen: number[] = []
    let cursor: string | undefined
    let inserted = 0
    do {
      const [page] = await Promise.all([
        documents.findMany({}, { limit: 10, ...(cursor && { cursor }) }),
        documents.create({ title: `concurrent ${inserted++}` }),
      ])
      seen.push(...page.items.map((d) => d.id))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(new Set(seen).size).toBe(seen.length) // no duplicates
    expect(seen.filter((id) => existing.some((d) => d.id === id)).sort((a, b) => a - b)).toEqual(
      existing.map((d) => d.id).sort((a, b) => a - b),
    ) // no gaps
  })

  it('pages in every sort order and rejects a tampered or foreign cursor as Validation', async () => {
    const org = orgId('sorts')
    const { documents } = editor(org)
    await documents.createMany(['c', 'a', 'b', 'e', 'd'].map((title) => ({ title })))
    const all = async (sort: 'title' | 'oldest' | 'newest') => {
      const titles: string[] = []
      let cursor: string | undefined
      do {
        const page = await documents.findMany({}, { sort, limit: 2, ...(cursor && { cursor }) })
        titles.push(...page.items.map((d) => d.title))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      return titles
    }
    expect(await all('title')).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(await all('oldest')).toEqual(['c', 'a', 'b', 'e', 'd'])
    expect(await all('newest')).toEqual(['d', 'e', 'b', 'a', 'c'])

    const page = await documents.findMany({}, { limit: 2 })
    const cursor = page.nextCursor as string
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`
    await expect(documents.findMany({}, { cursor: tampered })).rejects.toBeInstanceOf(ValidationError)
    await expect(documents.findMany({ status: 'draft' }, { cursor })).rejects.toBeInstanceOf(ValidationError)
    await expect(editor().documents.findMany({}, { cursor })).rejects.toBeInstanceOf(ValidationError)
  })

  it('serves topics and summaries with the same base methods', async () => {
    const { topics, summaries, documents } = editor()
    const topic = await topics.create({ name: 'Finance' })
    await expect(topics.create({ name: 'Finance' })).rejects.toMatchObject({ name: 'ConflictError', reason: 'unique' })
    expect(await topics.update(topic.id, { name: 'Money' })).toMatchObject({ name: 'Money' })
    expect((await topics.findMany({ name: { contains: 'on' } })).items.map((t) => t.name)).toEqual(['Money'])
    const doc = await documents.create({ title: 'Report' })
    const summary = await summaries.create({ documentId: doc.id, text: 'Short version' })
    expect((await summaries.findMany({ documentId: doc.id })).items).toEqual([summary])
  })
})
