/**
 * The HTTP contract, route by route, success and failure: on PGlite, and on
 * Postgres with Redis (Upstash bridge) through every server driver — every
 * route works on each, `neon-http` (no interactive transactions) included.
 */
import { runScheduled } from '@serverless-dal/documents-api/scheduled.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, apiOver, type DocumentBody, problemOf } from '../../support/api.ts'
import { type CacheFixture, cacheFixture } from '../../support/cache-fixtures.ts'
import {
  neonBackend,
  neonHttpBackend,
  neonPoolBackend,
  orgId,
  pgBackend,
  pgliteBackend,
  type RepositoryBackend,
} from '../../support/repository-backends.ts'

const withRedis =
  (makeBackend: () => RepositoryBackend) => async (): Promise<{ api: Api; close: () => Promise<void> }> => {
    const fx: CacheFixture = await cacheFixture(undefined, makeBackend)
    return { api: apiOver(fx.backend, fx.client()), close: () => fx.close() }
  }

const setups: Array<[string, () => Promise<{ api: Api; close: () => Promise<void> }>]> = [
  [
    'PGlite, memory cache',
    async () => {
      const backend = pgliteBackend()
      await backend.setup()
      return { api: apiOver(backend), close: () => backend.teardown() }
    },
  ],
  ['Postgres via neon (HTTP batches), Redis via Upstash', withRedis(neonBackend)],
  ['Postgres via neon-http, Redis via Upstash', withRedis(neonHttpBackend)],
  ['Postgres via neon-pool, Redis via Upstash', withRedis(neonPoolBackend)],
  ['Postgres via pg, Redis via Upstash', withRedis(pgBackend)],
]
describe.each(setups)('the documents API on %s', (_, setup) => {
  let api: Api
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ api, close } = await setup())
  })
  afterAll(() => close?.())

  async function tenant(label: string) {
    const org = orgId(label)
    return {
      org,
      viewer: await api.client(org, 'viewer'),
      editor: await api.client(org, 'editor'),
      admin: await api.client(org, 'admin'),
    }
  }

  async function createDocument(client: Awaited<ReturnType<Api['client']>>, body: object = { title: 'a document' }) {
    const response = await client.post('/documents', body)
    expect(response.status).toBe(201)
    return (await response.json()) as DocumentBody
  }

  describe('POST /documents', () => {
    it('creates a document with topics and a summary in one transaction: 201, Location', async () => {
      const { editor } = await tenant('create')
      const topic = (await (await editor.post('/topics', { name: 'serverless' })).json()) as { id: number }
      const response = await editor.post('/documents', {
        title: 'Hello',
        body: 'text',
        status: 'published',
        topicIds: [topic.id],
        summary: 'short',
      })
      expect(response.status).toBe(201)
      const document = (await response.json()) as DocumentBody
      expect(response.headers.get('location')).toBe(`/documents/${document.id}`)
      expect(document).toMatchObject({ title: 'Hello', body: 'text', status: 'published', version: 1 })
      expect(document.topicIds).toEqual([topic.id])
      expect(document.summaries?.map((s) => s.text)).toEqual(['short'])
      expect(Object.keys(document).sort()).toEqual(
        ['body', 'createdAt', 'id', 'status', 'summaries', 'title', 'topicIds', 'updatedAt', 'version'].sort(),
      )
    })

    it('writes nothing when part of it fails (an unknown topic): 422', async () => {
      const { editor } = await tenant('atomic')
      const response = await editor.post('/documents', { title: 'Half', topicIds: [987654321], summary: 's' })
      expect((await problemOf(response)).status).toBe(422)
      const list = (await (await editor.get('/documents')).json()) as { items: unknown[] }
      expect(list.items).toEqual([])
    })

    it('rejects unknown fields, missing ones and bad values with a 400 that names them', async () => {
      const { editor } = await tenant('invalid')
      const unknown = await problemOf(await editor.post('/documents', { title: 'x', colour: 'red' }))
      expect(unknown.status).toBe(400)
      expect(unknown.detail).toContain('colour')
      const missing = await problemOf(await editor.post('/documents', { body: 'no title' }))
      expect(missing.detail).toContain('title')
      const status = await problemOf(await editor.post('/documents', { title: 'x', status: 'lost' }))
      expect(status.detail).toContain('status')
    })

    it('stores text verbatim, and refuses what Postgres cannot store (a NUL character) with 400', async () => {
      const { editor } = await tenant('verbatim')
      const title = `'; drop table documents; -- 😀 <b>%_\\`
      const stored = await createDocument(editor, { title, body: '  spaces  \n\ttabs ' })
      const read = (await (await editor.get(`/documents/${stored.id}`)).json()) as DocumentBody
      expect(read.title).toBe(title)
      expect(read.body).toBe('  spaces  \n\ttabs ')
      expect((await problemOf(await editor.post('/documents', { title: 'nul \u0000 here' }))).status).toBe(400)
    })

    it('refuses malformed JSON (400), another content type (415), a huge body (413)', async () => {
      const { editor } = await tenant('bodies')
      expect((await problemOf(await editor.send('POST', '/documents', '{"title": '))).status).toBe(400)
      const form = await editor.send('POST', '/documents', 'title=x', {
        'content-type': 'application/x-www-form-urlencoded',
      })
      expect((await problemOf(form)).status).toBe(415)
      const huge = await editor.post('/documents', { title: 'big', body: 'x'.repeat(1_100_000) })
      expect((await problemOf(huge)).status).toBe(413)
    })

    it('needs a valid token (401) and a role that writes (403)', async () => {
      const { viewer, org } = await tenant('auth')
      const none = await api.request('/documents', { method: 'POST', body: '{}' })
      expect((await problemOf(none)).status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      const forged = await api.request('/documents', {
        headers: { authorization: `Bearer ${viewer.token.slice(0, -4)}AAAA` },
      })
      expect(forged.status).toBe(401)
      const badOrg = await api.client('bad org!', 'admin')
      expect((await badOrg.get('/documents')).status).toBe(401)
      expect((await problemOf(await viewer.post('/documents', { title: 'no' }))).status).toBe(403)
      expect(org).toBeTruthy()
    })
  })

  describe('GET /documents/:id', () => {
    it('answers with ETag and Cache-Status: a miss, then a hit, and the new version right after a PATCH', async () => {
      const { editor, viewer } = await tenant('read')
      const created = await createDocument(editor, { title: 'cached' })
      const miss = await viewer.get(`/documents/${created.id}`)
      expect(miss.status).toBe(200)
      expect(miss.headers.get('etag')).toBe('"1"')
      expect(miss.headers.get('cache-status')).toContain('fwd=miss')
      const hit = await viewer.get(`/documents/${created.id}`)
      expect(hit.headers.get('cache-status')).toMatch(/; hit/)
      expect(await hit.json()).toEqual(
        await miss
          .clone()
          .json()
          .catch(() => created),
      )

      const patched = await editor.patch(`/documents/${created.id}`, { title: 'renamed' }, { 'if-match': '"1"' })
      expect(patched.status).toBe(200)
      expect(patched.headers.get('etag')).toBe('"2"')
      const after = await viewer.get(`/documents/${created.id}`)
      expect(await after.json()).toMatchObject({ title: 'renamed', version: 2 })
      expect(after.headers.get('etag')).toBe('"2"')
    })

    it('eager-loads summaries with include=summaries', async () => {
      const { editor } = await tenant('include')
      const created = await createDocument(editor, { title: 'with summary', summary: 'sum' })
      const plain = (await (await editor.get(`/documents/${created.id}`)).json()) as DocumentBody
      expect(plain.summaries).toBeUndefined()
      const full = (await (
        await editor.get(`/documents/${created.id}?include=summaries,topics`)
      ).json()) as DocumentBody
      expect(full.summaries?.map((s) => s.text)).toEqual(['sum'])
      expect((await problemOf(await editor.get(`/documents/${created.id}?include=secrets`))).status).toBe(400)
    })

    it('answers 404 for a missing id, 400 for one that is not an id', async () => {
      const { viewer } = await tenant('missing')
      expect((await problemOf(await viewer.get('/documents/987654321'))).status).toBe(404)
      expect((await problemOf(await viewer.get('/documents/abc'))).status).toBe(400)
      expect((await problemOf(await viewer.get('/documents/-1'))).status).toBe(400)
    })
  })

  describe('GET /documents', () => {
    it('filters by status, topic and title (with % and _ literal), and pages with a cursor', async () => {
      const { editor } = await tenant('list')
      const topic = (await (await editor.post('/topics', { name: 't' })).json()) as { id: number }
      await createDocument(editor, { title: '100% done', status: 'published', topicIds: [topic.id] })
      await createDocument(editor, { title: '100 percent', status: 'draft' })
      await createDocument(editor, { title: 'a_b', status: 'published' })
      await createDocument(editor, { title: 'axb', status: 'published' })

      const titles = async (query: string) =>
        ((await (await editor.get(`/documents?${query}`)).json()) as { items: DocumentBody[] }).items.map(
          (d) => d.title,
        )
      expect((await titles('status=published')).sort()).toEqual(['100% done', 'a_b', 'axb'])
      expect(await titles(`topicId=${topic.id}`)).toEqual(['100% done'])
      expect(await titles(`q=${encodeURIComponent('0%')}`)).toEqual(['100% done'])
      expect(await titles('q=a_b')).toEqual(['a_b'])

      const first = (await (await editor.get('/documents?limit=3')).json()) as {
        items: DocumentBody[]
        nextCursor: string
      }
      expect(first.items).toHaveLength(3)
      const second = (await (
        await editor.get(`/documents?limit=3&cursor=${encodeURIComponent(first.nextCursor)}`)
      ).json()) as {
        items: DocumentBody[]
        nextCursor: string | null
      }
      expect(second.items).toHaveLength(1)
      expect(second.nextCursor).toBeNull()
      expect(new Set([...first.items, ...second.items].map((d) => d.id)).size).toBe(4)
    })

    it('rejects limits outside 1..100, unknown filters and tampered cursors with 400', async () => {
      const { editor } = await tenant('list-bad')
      await createDocument(editor)
      await createDocument(editor)
      expect((await problemOf(await editor.get('/documents?limit=0'))).status).toBe(400)
      expect((await problemOf(await editor.get('/documents?limit=101'))).status).toBe(400)
      const unknown = await problemOf(await editor.get('/documents?owner=me'))
      expect(unknown.detail).toContain('owner')
      const page = (await (await editor.get('/documents?limit=1')).json()) as { nextCursor: string }
      const tampered = `${page.nextCursor.slice(0, -2)}${page.nextCursor.endsWith('A') ? 'BB' : 'AA'}`
      expect((await problemOf(await editor.get(`/documents?cursor=${encodeURIComponent(tampered)}`))).status).toBe(400)
    })
  })

  describe('PATCH /documents/:id', () => {
    it('needs If-Match (428), refuses a stale version (409), and bumps the version', async () => {
      const { editor } = await tenant('patch')
      const created = await createDocument(editor)
      expect((await problemOf(await editor.patch(`/documents/${created.id}`, { title: 'x' }))).status).toBe(428)
      expect(
        (await problemOf(await editor.patch(`/documents/${created.id}`, { title: 'x' }, { 'if-match': '*' }))).status,
      ).toBe(400)
      const ok = await editor.patch(`/documents/${created.id}`, { status: 'published' }, { 'if-match': '"1"' })
      expect(await ok.json()).toMatchObject({ status: 'published', version: 2 })
      const stale = await editor.patch(`/documents/${created.id}`, { title: 'late' }, { 'if-match': '"1"' })
      expect((await problemOf(stale)).status).toBe(409)
      const topicsOnly = await editor.patch(`/documents/${created.id}`, { topicIds: [] }, { 'if-match': '"2"' })
      expect(await topicsOnly.json()).toMatchObject({ version: 3 })
      expect((await problemOf(await editor.patch(`/documents/${created.id}`, {}, { 'if-match': '"3"' }))).status).toBe(
        400,
      )
      expect(
        (await problemOf(await editor.patch(`/documents/${created.id}`, { id: 9 }, { 'if-match': '"3"' }))).detail,
      ).toContain('id')
      expect(
        (await problemOf(await editor.patch('/documents/987654321', { title: 'x' }, { 'if-match': '"1"' }))).status,
      ).toBe(404)
    })
  })

  describe('DELETE /documents/:id', () => {
    it('is for admins only: 403 for an editor, 204, then 404', async () => {
      const { editor, admin } = await tenant('delete')
      const created = await createDocument(editor)
      expect((await problemOf(await editor.delete(`/documents/${created.id}`))).status).toBe(403)
      const deleted = await admin.delete(`/documents/${created.id}`)
      expect(deleted.status).toBe(204)
      expect(await deleted.text()).toBe('')
      expect((await problemOf(await admin.get(`/documents/${created.id}`))).status).toBe(404)
      expect((await problemOf(await admin.delete(`/documents/${created.id}`))).status).toBe(404)
    })
  })

  describe('links and related documents', () => {
    it('links documents (201) and walks them to a depth', async () => {
      const { editor } = await tenant('links')
      const [a, b, c] = [await createDocument(editor), await createDocument(editor), await createDocument(editor)]
      expect((await editor.post(`/documents/${a.id}/links`, { targetId: b.id })).status).toBe(201)
      expect((await editor.post(`/documents/${b.id}/links`, { targetId: c.id })).status).toBe(201)
      const related = (await (await editor.get(`/documents/${a.id}/related?maxDepth=2`)).json()) as {
        items: Array<{ document: DocumentBody; depth: number }>
      }
      expect(related.items[0]?.document.topicIds).toEqual([])
      expect(Object.keys(related.items[0]?.document ?? {}).sort()).toEqual(
        ['body', 'createdAt', 'id', 'status', 'title', 'topicIds', 'updatedAt', 'version'].sort(),
      )
      expect(related.items.map((item) => [item.document.id, item.depth])).toEqual([
        [b.id, 1],
        [c.id, 2],
      ])
      const near = (await (await editor.get(`/documents/${a.id}/related?maxDepth=1`)).json()) as { items: unknown[] }
      expect(near.items).toHaveLength(1)
      // a related document's new topics show at once, though the walk was cached
      const topic = (await (await editor.post('/topics', { name: 'linked' })).json()) as { id: number }
      expect((await editor.patch(`/documents/${b.id}`, { topicIds: [topic.id] }, { 'if-match': '"1"' })).status).toBe(
        200,
      )
      const again = (await (await editor.get(`/documents/${a.id}/related?maxDepth=2`)).json()) as typeof related
      expect(again.items[0]?.document.topicIds).toEqual([topic.id])
      expect((await problemOf(await editor.get(`/documents/${a.id}/related?maxDepth=6`))).status).toBe(400)
      expect((await problemOf(await editor.post(`/documents/${a.id}/links`, { targetId: 987654321 }))).status).toBe(404)
      expect((await problemOf(await editor.post('/documents/987654321/links', { targetId: a.id }))).status).toBe(404)
      expect((await problemOf(await editor.post(`/documents/${a.id}/links`, { target: b.id }))).status).toBe(400)
    })
  })

  describe('topics', () => {
    it('creates topics (201, editor or admin; 409 for a taken name) and lists their documents', async () => {
      const { editor, viewer } = await tenant('topics')
      const response = await editor.post('/topics', { name: 'postgres' })
      expect(response.status).toBe(201)
      const topic = (await response.json()) as { id: number; name: string }
      expect(response.headers.get('location')).toBe(`/topics/${topic.id}`)
      expect((await problemOf(await editor.post('/topics', { name: 'postgres' }))).status).toBe(409)
      expect((await problemOf(await viewer.post('/topics', { name: 'other' }))).status).toBe(403)
      expect((await problemOf(await editor.post('/topics', { name: '' }))).status).toBe(400)

      const doc = await createDocument(editor, { title: 'tagged', topicIds: [topic.id] })
      const page = (await (await viewer.get(`/topics/${topic.id}/documents`)).json()) as { items: DocumentBody[] }
      expect(page.items.map((d) => d.id)).toEqual([doc.id])
      expect((await problemOf(await viewer.get('/topics/987654321/documents'))).status).toBe(404)
    })
  })

  describe('Idempotency-Key', () => {
    it('replays the stored response for a repeat, refuses the key with another body (422)', async () => {
      const { editor } = await tenant('idem')
      const key = { 'idempotency-key': 'create-once-1' }
      const first = await editor.post('/documents', { title: 'once' }, key)
      const again = await editor.post('/documents', { title: 'once' }, key)
      expect(first.status).toBe(201)
      expect(again.status).toBe(201)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.headers.get('location')).toBe(first.headers.get('location'))
      expect(await again.text()).toBe(await first.text())
      const other = await editor.post('/documents', { title: 'different' }, key)
      expect((await problemOf(other)).status).toBe(422)
      const list = (await (await editor.get('/documents')).json()) as { items: unknown[] }
      expect(list.items).toHaveLength(1)
    })

    it('writes exactly one row for parallel duplicates', async () => {
      const { editor } = await tenant('idem-parallel')
      const key = { 'idempotency-key': 'parallel-1' }
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => editor.post('/documents', { title: 'raced' }, key)),
      )
      const statuses = responses.map((r) => r.status)
      const bodies = await Promise.all(responses.map((r) => r.json() as Promise<DocumentBody>))
      expect(statuses.every((status) => status === 201)).toBe(true)
      expect(new Set(bodies.map((b) => b.id)).size).toBe(1)
      const list = (await (await editor.get('/documents')).json()) as { items: unknown[] }
      expect(list.items).toHaveLength(1)
    })

    it('forgets a key once it expires: the same key then writes again', async () => {
      const org = orgId('idem-expiry')
      const documents = api.service.factory.forTenant({ orgId: org, role: 'editor' }).documents
      const first = await documents.createOnce({ key: 'short-lived', requestHash: 'hash-1', ttlMs: 1 }, { title: 'a' })
      await new Promise((resolve) => setTimeout(resolve, 20))
      const second = await documents.createOnce({ key: 'short-lived', requestHash: 'hash-2' }, { title: 'b' })
      expect(second.replayed).toBe(false)
      expect(second.row.id).not.toBe(first.row.id)
      const third = await documents.createOnce({ key: 'short-lived', requestHash: 'hash-2' }, { title: 'b' })
      expect(third).toEqual({ row: second.row, replayed: true })
      expect(await documents.count()).toBe(2)
    })

    it('has expired keys deleted by the scheduled run', async () => {
      const documents = api.service.factory.forTenant({ orgId: orgId('idem-purge'), role: 'editor' }).documents
      await documents.createOnce({ key: 'purge-me-1', requestHash: 'h', ttlMs: 1 }, { title: '1' })
      await documents.createOnce({ key: 'purge-me-2', requestHash: 'h', ttlMs: 1 }, { title: '2' })
      await documents.createOnce({ key: 'keep-me', requestHash: 'h' }, { title: '3' })
      await new Promise((resolve) => setTimeout(resolve, 20))
      const { purgedIdempotencyKeys } = await runScheduled(api.service, 'test')
      expect(purgedIdempotencyKeys).toBeGreaterThanOrEqual(2)
      expect(await documents.createOnce({ key: 'keep-me', requestHash: 'h' }, { title: '3' })).toMatchObject({
        replayed: true,
      })
    })

    it('refuses a malformed key with 400', async () => {
      const { editor } = await tenant('idem-bad')
      const response = await editor.post('/documents', { title: 'x' }, { 'idempotency-key': 'has space' })
      expect((await problemOf(response)).status).toBe(400)
    })
  })

  describe('tenancy', () => {
    it('never shows, changes or links another organization’s documents', async () => {
      const a = await tenant('tenant-a')
      const b = await tenant('tenant-b')
      const mine = await createDocument(a.editor, { title: 'secret of a' })
      const theirs = await createDocument(b.editor, { title: 'b' })
      expect((await b.admin.get(`/documents/${mine.id}`)).status).toBe(404)
      expect((await b.admin.patch(`/documents/${mine.id}`, { title: 'x' }, { 'if-match': '"1"' })).status).toBe(404)
      expect((await b.admin.delete(`/documents/${mine.id}`)).status).toBe(404)
      expect((await b.admin.get(`/documents/${mine.id}/related`)).status).toBe(404)
      expect((await b.admin.post(`/documents/${theirs.id}/links`, { targetId: mine.id })).status).toBe(404)
      const list = (await (await b.admin.get('/documents')).json()) as { items: DocumentBody[] }
      expect(list.items.map((d) => d.title)).toEqual(['b'])
      expect(JSON.stringify(list)).not.toContain('secret of a')
      expect((await (await a.viewer.get(`/documents/${mine.id}`)).json()) as DocumentBody).toMatchObject({
        title: 'secret of a',
      })
    })
  })
})
