/**
 * Per-organization rate limits on Redis (RATE_LIMIT_REQUESTS per
 * RATE_LIMIT_WINDOW_S), attacked: one tenant floods the API and gets 429s
 * that never reach the database while another tenant goes on; the flood is
 * counted across two isolates sharing Redis; the window's end admits it
 * again; the check is one Redis round trip, none once refused, none when
 * off. Postgres through the Neon driver, Redis through the Upstash bridge.
 * Redis down, no Redis, bad settings: rate-limits-degraded.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DocumentBody, problemOf } from '../../support/api.ts'
import { type CacheFixture, cacheFixture, countingRedis } from '../../support/cache-fixtures.ts'
import {
  as,
  awayFromEdge,
  FIVE_AN_HOUR,
  rateLimitFieldsOf as fields,
  limitedService,
  namespace,
  type Service,
} from '../../support/rate-limits.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
beforeAll(async () => {
  fx = await cacheFixture()
})
afterAll(() => fx?.close())

const service = (env: Parameters<typeof limitedService>[1], redis?: Parameters<typeof limitedService>[2]) =>
  limitedService(fx.backend, env, redis)

describe('rate limits on Redis', () => {
  it('refuse a flooding organization with 429 before its database, and leave another alone', async () => {
    await awayFromEdge(3600)
    const api = service(FIVE_AN_HOUR, fx.client())
    const flooder = as(api, orgId('flooder'))
    const statuses = []
    for (let i = 0; i < 5; i++) {
      const answer = await flooder.get()
      statuses.push(answer.status)
      expect(answer.headers.get('ratelimit-remaining')).toBe(String(4 - i)) // on every answer, not only 429s
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200])

    fx.backend.clearQueries()
    const refused = await flooder.get()
    const fieldsOf429 = fields(refused)
    expect(await problemOf(refused)).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      detail: expect.stringContaining('over its limit of 5 requests per 3600 s'),
    })
    expect(fieldsOf429).toMatchObject({
      'ratelimit-policy': '5;w=3600',
      'ratelimit-limit': '5',
      'ratelimit-remaining': '0',
    })
    const retryAfter = Number(fieldsOf429['retry-after'])
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600).toBe(true)
    expect(fieldsOf429['ratelimit-reset']).toBe(fieldsOf429['retry-after'])
    // writes are refused the same way, and none of it reached Postgres
    expect((await flooder.post('/documents', { title: 'flood' })).status).toBe(429)
    expect(fx.backend.roundTrips).toHaveLength(0)

    const bystander = await as(api, orgId('bystander')).get()
    expect(bystander.status).toBe(200)
    expect(fields(bystander)).toMatchObject({ 'ratelimit-remaining': '4', 'retry-after': null })
  })

  it('count an organization across isolates that share Redis', async () => {
    await awayFromEdge(3600)
    const shared = { ...FIVE_AN_HOUR, CACHE_NAMESPACE: namespace() }
    const isolates = [service(shared, fx.client()), service(shared, fx.client())]
    const org = orgId('two-isolates')
    const statuses = []
    for (let i = 0; i < 10; i++) statuses.push((await as(isolates[i % 2] as Service, org).get()).status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(5)
    expect(statuses.slice(5)).toEqual([429, 429, 429, 429, 429])
  })

  it('admit an organization again when its window ends', async () => {
    const api = service({ RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_S: '1' }, fx.client())
    const org = as(api, orgId('window'))
    await org.get() // the first check loads the script: the rest fit easily in one window
    await awayFromEdge(1, 1_000) // now at the start of a one-second window
    expect((await org.get()).status).toBe(200)
    expect((await org.get()).status).toBe(200)
    const refused = await org.get()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20))
    const admitted = await org.get()
    expect(admitted.status).toBe(200)
    expect(admitted.headers.get('ratelimit-remaining')).toBe('1')
  })

  it('cost one Redis round trip per request when on, none once refused, and none at all when off', async () => {
    await awayFromEdge(3600)
    const recorded = countingRedis(fx.client())
    const off = service({}, recorded)
    const on = service({ RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_S: '3600' }, recorded)
    const cost = async (api: Service, send: () => Promise<Response>) => {
      await api.background.settled()
      recorded.calls.length = 0
      const answer = await send()
      await api.background.settled()
      return { status: answer.status, redis: [...recorded.calls], limited: answer.headers.has('ratelimit-limit') }
    }
    const org = orgId('round-trips')
    const offClient = as(off, org)
    const created = (await (await offClient.post('/documents', { title: 'counted' })).json()) as DocumentBody
    await offClient.get(`/documents/${created.id}`) // now in the memory tier
    expect(await cost(off, () => offClient.get(`/documents/${created.id}`))).toEqual({
      status: 200,
      redis: [],
      limited: false,
    })

    const onClient = as(on, org)
    await onClient.get(`/documents/${created.id}`)
    expect(await cost(on, () => onClient.get(`/documents/${created.id}`))).toEqual({
      status: 200,
      redis: ['eval'], // the limit check: the read itself is a memory hit
      limited: true,
    })
    await onClient.get(`/documents/${created.id}`) // the third and last of the window
    expect(await cost(on, () => onClient.get(`/documents/${created.id}`))).toEqual({
      status: 429,
      redis: ['eval'], // Redis says it is over
      limited: true,
    })
    for (let i = 0; i < 3; i++) {
      // refused in this isolate until the window ends: not even Redis is asked
      expect(await cost(on, () => onClient.get(`/documents/${created.id}`))).toEqual({
        status: 429,
        redis: [],
        limited: true,
      })
    }
  })

  it('document the 429 in /openapi.json when a limit is set', async () => {
    type Doc = { paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>> }
    const limited = (await (await service(FIVE_AN_HOUR).app.request('/openapi.json')).json()) as Doc
    const unlimited = (await (await service({}).app.request('/openapi.json')).json()) as Doc
    expect(limited.paths['/documents']?.post?.responses['429']?.headers).toHaveProperty('Retry-After')
    expect(limited.paths['/topics/{id}/documents']?.get?.responses).toHaveProperty('429')
    expect(unlimited.paths['/documents']?.post?.responses).not.toHaveProperty('429')
  })
})
