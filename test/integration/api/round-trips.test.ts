/**
 * What each route costs in round trips, through the whole Node service, on
 * every server driver: Postgres round trips counted by the driver, Redis
 * requests by a wrapper around the real client. A cache miss is one Redis
 * lookup and one database round trip, its store going out after the
 * response; a write is one database round trip and one invalidation. The
 * tenant middleware runs once per request, and a response never waits for
 * background work — its own on Node, anybody else's anywhere.
 */
import type { DocumentsFactory } from '@serverless-dal/documents'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Api, apiOver, type DocumentBody } from '../../support/api.ts'
import { type CacheFixture, cacheFixture, countingRedis } from '../../support/cache-fixtures.ts'
import {
  neonBackend,
  neonHttpBackend,
  neonPoolBackend,
  orgId,
  pgBackend,
  type RepositoryBackend,
} from '../../support/repository-backends.ts'

// sampling never fires here: a hot-key record would add a background request to the counts
const QUIET = { HOT_KEY_SAMPLE_EVERY: '1000000' }

const drivers: Array<[string, () => RepositoryBackend]> = [
  ['neon', neonBackend],
  ['neon-http', neonHttpBackend],
  ['neon-pool', neonPoolBackend],
  ['pg', pgBackend],
]

describe.each(drivers)('round trips per route on %s', (_, makeBackend) => {
  let fx: CacheFixture
  let backend: RepositoryBackend
  let recorded: ReturnType<typeof countingRedis>
  let api: Api
  let redisOnly: Api
  beforeAll(async () => {
    fx = await cacheFixture(undefined, makeBackend)
    backend = fx.backend
    recorded = countingRedis(fx.client())
    // one namespace: the second service (memory tier off) finds what the first stored
    const shared = { ...QUIET, CACHE_NAMESPACE: `rt-${Math.random().toString(36).slice(2)}` }
    api = apiOver(backend, recorded, shared)
    redisOnly = apiOver(backend, recorded, { ...shared, CACHE_MEMORY: 'off' })
  })
  afterAll(() => fx?.close())

  /** Postgres round trips and Redis calls the request made before its response. */
  async function cost(send: () => Promise<Response> | Response, expectedStatus: number) {
    await api.service.background.settled()
    await redisOnly.service.background.settled()
    backend.clearQueries()
    recorded.calls.length = 0
    const response = await send()
    expect(response.status).toBe(expectedStatus)
    return { postgres: backend.roundTrips.length, redis: [...recorded.calls], body: await response.text() }
  }

  it('costs one database round trip per route, and a miss one Redis lookup before its answer', async () => {
    const org = orgId('rt-routes')
    const client = await api.client(org, 'admin')
    const topic = JSON.parse((await cost(() => client.post('/topics', { name: 'rt' }), 201)).body) as { id: number }
    const key = { 'idempotency-key': `rt-${Math.random()}` }
    const post = await cost(
      () => client.post('/documents', { title: 'counted', topicIds: [topic.id], summary: 'short' }, key),
      201,
    )
    expect(post).toMatchObject({ postgres: 1, redis: ['eval'] })
    const doc = JSON.parse(post.body) as DocumentBody
    expect(doc).toMatchObject({ topicIds: [topic.id], summaries: [{ text: 'short' }] })
    const other = (await (await client.post('/documents', { title: 'other' })).json()) as DocumentBody

    const release = recorded.holdStores()
    const miss = await cost(() => client.get(`/documents/${doc.id}`), 200)
    // the answer came back while its store was still held: the store is after the response
    expect(miss).toMatchObject({ postgres: 1, redis: ['lookup', 'store'] })
    release()
    expect(await cost(() => client.get(`/documents/${doc.id}`), 200)).toMatchObject({ postgres: 0, redis: [] })
    await api.service.background.settled()
    const viaRedis = await redisOnly.client(org, 'viewer')
    expect(await cost(() => viaRedis.get(`/documents/${doc.id}`), 200)).toMatchObject({
      postgres: 0,
      redis: ['lookup'],
    })

    const reads = [
      () => client.get('/documents?status=draft'),
      () => client.get(`/documents/${doc.id}/related`),
      () => client.get(`/topics/${topic.id}/documents`),
    ]
    for (const read of reads) expect(await cost(read, 200)).toMatchObject({ postgres: 1, redis: ['lookup', 'store'] })
    const writes: Array<[() => Promise<Response> | Response, number]> = [
      [() => client.patch(`/documents/${doc.id}`, { title: 'changed', topicIds: [] }, { 'if-match': '"1"' }), 200],
      [() => client.post(`/documents/${doc.id}/links`, { targetId: other.id }), 201],
      [() => client.delete(`/documents/${other.id}`), 204],
    ]
    for (const [write, status] of writes)
      expect(await cost(write, status)).toMatchObject({ postgres: 1, redis: ['eval'] })
  })

  it('runs the tenant middleware once per request', async () => {
    const factory: DocumentsFactory = api.service.factory
    const scopes = vi.spyOn(factory, 'forTenant')
    const client = await api.client(orgId('rt-middleware'), 'editor')
    const requests = [
      () => client.get('/documents'),
      () => client.post('/documents', { title: 'once' }),
      () => client.post('/topics', { name: 'once' }),
      () => client.get('/documents/1'),
    ]
    try {
      for (const request of requests) {
        scopes.mockClear()
        await request()
        expect(scopes).toHaveBeenCalledTimes(1)
      }
    } finally {
      scopes.mockRestore()
    }
  })
})

describe('background work after a response', () => {
  let fx: CacheFixture
  beforeAll(async () => {
    fx = await cacheFixture(undefined, pgBackend)
  })
  afterAll(() => fx?.close())

  it('never makes a request wait for another request’s background work', async () => {
    const recorded = countingRedis(fx.client())
    const api = apiOver(fx.backend, recorded, QUIET)
    const client = await api.client(orgId('rt-others'), 'editor')
    const [first, second] = await Promise.all([
      client.post('/documents', { title: 'first' }),
      client.post('/documents', { title: 'second' }),
    ]).then((responses) => Promise.all(responses.map((r) => r.json() as Promise<DocumentBody>)))
    const release = recorded.holdStores()
    expect((await client.get(`/documents/${first?.id}`)).status).toBe(200) // leaves a held store behind
    expect(api.service.background.size).toBeGreaterThan(0)
    expect((await client.get(`/documents/${second?.id}`)).status).toBe(200) // not held up by the first
    release()
    await api.service.background.settled()
    expect(api.service.background.size).toBe(0)
  })

  it('on Lambda waits for its own deferred store before returning, never for another request’s', async () => {
    const recorded = countingRedis(fx.client())
    const lambdaApi = apiOver(fx.backend, recorded, QUIET, 'lambda')
    const client = await lambdaApi.client(orgId('rt-lambda'), 'editor')
    const doc = (await (await client.post('/documents', { title: 'lambda' })).json()) as DocumentBody
    const other = (await (await client.post('/documents', { title: 'in memory' })).json()) as DocumentBody
    await client.get(`/documents/${other.id}`) // stored, and in this environment's memory tier
    const release = recorded.holdStores()
    let answered = false
    const reading = Promise.resolve(client.get(`/documents/${doc.id}`)).then((response) => {
      answered = true
      return response
    })
    await vi.waitFor(() => expect(recorded.calls).toContain('store'), { interval: 1 })
    expect(answered).toBe(false) // Lambda freezes after the handler returns: the store is awaited first
    // another request of the same environment (a memory hit) does not wait for that store
    expect((await client.get(`/documents/${other.id}`)).headers.get('cache-status')).toMatch(/^dal-memory; hit; ttl=/)
    expect(answered).toBe(false)
    release()
    expect((await reading).status).toBe(200)
  })
})
