/**
 * Small holes, each attacked: a weak ETag in If-Match (RFC 9110 strong
 * comparison: 412), a lone UTF-16 surrogate in a body (400, nothing stored),
 * and `/health` as a cheap way to load the database (answered from a probe at
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
  it('refuses a weak ETag in If-Match with 412 and changes nothing', async () => {
    const client = await api.client(orgId('weak-etag'), 'editor')
    const doc = (await (await client.post('/documents', { title: 'strong only' })).json()) as DocumentBody
    const weak = await client.patch(`/documents/${doc.id}`, { title: 'weak' }, { 'if-match': `W/"${doc.version}"` })
    expect(await problemOf(weak)).toMatchObject({ status: 412, detail: expect.stringContaining('weak ETag') })
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
