/**
 * Holes, each attacked: unbounded answers (a hub's related documents, a page
 * of large documents), a weak ETag in If-Match (RFC 9110 strong comparison:
 * 412), a lone UTF-16 surrogate in a body (400, nothing stored), and
 * `/health` as a cheap way to load the database (answered from a probe at
 * most a second old).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, apiOver, type DocumentBody, problemOf } from '../../support/api.ts'
import { type CacheFixture, cacheFixture } from '../../support/cache-fixtures.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
let api: Api
beforeAll(async () => {
  fx = await cacheFixture()
  api = apiOver(fx.backend, fx.client())
})
afterAll(() => fx?.close())

describe('hardening', () => {
  it('answers a hub linked to 110 documents a page at a time, never all at once', async () => {
    const org = orgId('hub')
    const repos = api.service.factory.forTenant({ orgId: org, role: 'editor' })
    const docs = (i: number) => ({ title: `doc ${i}`, body: 'b'.repeat(1_000) })
    const [hub, ...spokes] = [
      ...(await repos.documents.createMany(Array.from({ length: 100 }, (_, i) => docs(i)))),
      ...(await repos.documents.createMany(Array.from({ length: 11 }, (_, i) => docs(100 + i)))),
    ]
    for (const spoke of spokes) await repos.documents.link(hub!.id, spoke.id)
    const client = await api.client(org, 'editor')
    const seen: number[] = []
    let path: string | undefined = `/documents/${hub!.id}/related?limit=100`
    const sizes: number[] = []
    while (path) {
      const answer = await client.get(path)
      expect(answer.status).toBe(200)
      const page = (await answer.json()) as { items: Array<{ document: { id: number } }>; nextCursor: string | null }
      sizes.push(page.items.length)
      seen.push(...page.items.map((item) => item.document.id))
      path = page.nextCursor
        ? `/documents/${hub!.id}/related?limit=100&cursor=${encodeURIComponent(page.nextCursor)}`
        : undefined
    }
    expect(sizes).toEqual([100, 10])
    expect(seen).toEqual(spokes.map((spoke) => spoke.id))
    const first = (await (await client.get(`/documents/${hub!.id}/related`)).json()) as { items: unknown[] }
    expect(first.items).toHaveLength(20)
    expect((await problemOf(await client.get(`/documents/${hub!.id}/related?limit=101`))).status).toBe(400)
    expect((await problemOf(await client.get(`/documents/${hub!.id}/related?cursor=forged.x`))).status).toBe(400)
  })

  it('ends a list page of large documents at about a megabyte, whatever the limit and the search', async () => {
    const org = orgId('large-list')
    const repos = api.service.factory.forTenant({ orgId: org, role: 'editor' })
    await repos.documents.createMany(
      Array.from({ length: 7 }, (_, i) => ({ title: `large ${i}`, body: 'L'.repeat(900_000) })),
    )
    const client = await api.client(org, 'editor')
    for (const q of ['large', 'arg', 'rge', 'a', 'e']) {
      const answer = await client.get(`/documents?limit=100&q=${q}`)
      const text = await answer.text()
      const page = JSON.parse(text) as { items: unknown[]; nextCursor: string | null }
      expect(page.items).toHaveLength(2) // the second starts under the budget, the third would not
      expect(page.nextCursor).not.toBeNull()
      expect(text.length).toBeLessThan(2 * 900_000 + 10_000)
    }
  })

  it('refuses a weak ETag in If-Match with 412 and changes nothing', async () => {
    const client = await api.client(orgId('weak-etag'), 'editor')
    const doc = (await (await client.post('/documents', { title: 'strong only' })).json()) as DocumentBody
    const weak = await client.patch(`/documents/${doc.id}`, { title: 'weak' }, { 'if-match': `W/"${doc.version}"` })
    expect(await problemOf(weak)).toMatchObject({
      status: 412,
      title: 'Precondition Failed',
      detail: expect.stringContaining('weak ETag'),
    })
    expect(((await (await client.get(`/documents/${doc.id}`)).json()) as DocumentBody).title).toBe('strong only')
  })

  it('refuses a lone UTF-16 surrogate in a body with 400 rather than storing U+FFFD', async () => {
    const org = orgId('surrogate')
    const client = await api.client(org, 'editor')
    for (const body of ['{"title":"broken \\ud800 text"}', '{"title":"ok","body":"tail \\udc00"}']) {
      const refused = await client.send('POST', '/documents', body)
      expect(await problemOf(refused)).toMatchObject({ status: 400, detail: expect.stringContaining('lone surrogate') })
    }
    const paired = await client.send('POST', '/documents', '{"title":"emoji \\ud83d\\ude00 fine"}')
    expect(paired.status).toBe(201)
    expect(((await (await client.get('/documents')).json()) as { items: unknown[] }).items).toHaveLength(1)
  })

  it('answers /health from a probe at most a second old, however often it is called', async () => {
    await api.request('/health')
    fx.backend.clearQueries()
    const answers = await Promise.all(Array.from({ length: 50 }, () => api.request('/health')))
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(fx.backend.dataQueries().filter((query) => /select 1/i.test(query))).toHaveLength(0)
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    await api.request('/health')
    expect(fx.backend.dataQueries().filter((query) => /select 1/i.test(query))).toHaveLength(1)
  })
})
