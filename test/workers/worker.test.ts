/**
 * The Worker entry inside workerd (the Workers Vitest pool), against real
 * Postgres (Neon driver → local stand-in) and real Redis (@upstash/redis →
 * local bridge): reads and writes go to Neon's HTTP endpoint as one batch
 * each, so no request opens a WebSocket.
 */

import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { createDocumentsFactory } from '@serverless-dal/documents'
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import worker from '@serverless-dal/documents-api/worker.ts'
import { type DatabaseEnv, databaseConfigFromEnv, silentLogger } from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest'
import { metricTotal, validEmf } from '../support/emf.ts'
import { WORKERS_TEST_JWT_SECRET } from '../support/workers-secret.ts'

/** The EMF lines the Worker printed during the current test (kept off the test output). */
let printed: string[] = []
beforeEach(() => {
  printed = []
  const log = console.log
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('{"_aws"')) printed.push(args[0])
    else log(...args)
  })
})
afterEach(() => {
  vi.restoreAllMocks()
})

const org = `workers-${Math.random().toString(36).slice(2, 8)}`
const bearer = async (role: 'viewer' | 'editor' | 'admin' = 'editor') => ({
  authorization: `Bearer ${await signToken(WORKERS_TEST_JWT_SECRET, { org, role })}`,
})

describe('the documents API in workerd', () => {
  it('answers /ping without touching the database', async () => {
    const response = await SELF.fetch('http://worker.test/ping')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('pong')
  })

  it('answers /health over Neon HTTP on every request, with Redis reachable', async () => {
    for (let request = 0; request < 3; request++) {
      const response = await SELF.fetch('http://worker.test/health')
      expect(await response.json()).toEqual({ status: 'ok', db: 'ok', cache: 'ok' })
      expect(response.status).toBe(200)
    }
  })

  it('writes, then reads the same document: a miss, then a hit, across requests, with no WebSocket opened', async () => {
    const before = await standInStats()
    const created = await SELF.fetch('http://worker.test/documents', {
      method: 'POST',
      headers: { ...(await bearer()), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'from workerd', summary: 'short' }),
    })
    expect(created.status).toBe(201)
    const document = (await created.json()) as { id: number; version: number }
    expect(created.headers.get('location')).toBe(`/documents/${document.id}`)

    const first = await SELF.fetch(`http://worker.test/documents/${document.id}`, { headers: await bearer('viewer') })
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ id: document.id, title: 'from workerd', version: 1, topicIds: [] })
    expect(first.headers.get('etag')).toBe('"1"')
    expect(first.headers.get('cache-status')).toContain('fwd=miss')

    const second = await SELF.fetch(`http://worker.test/documents/${document.id}`, { headers: await bearer('viewer') })
    expect(second.headers.get('cache-status')).toMatch(/hit/)
    // one batch for the write, one for the miss; the hit needs none, and no connection was set up
    expect(await standInStats()).toEqual({ tunnelsOpened: before.tunnelsOpened, sqlRequests: before.sqlRequests + 2 })
  })

  it('answers concurrent first reads of one document, requests sharing one isolate', async () => {
    const created = await SELF.fetch('http://worker.test/documents', {
      method: 'POST',
      headers: { ...(await bearer()), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'read at once' }),
    })
    const { id } = (await created.json()) as { id: number }
    const headers = await bearer('viewer')
    const responses: Response[] = await Promise.all(
      Array.from({ length: 6 }, () => SELF.fetch(`http://worker.test/documents/${id}?include=summaries`, { headers })),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200])
    for (const response of responses) expect(await response.json()).toMatchObject({ id, title: 'read at once' })
  })

  it('opens a WebSocket only for an interactive transaction (the neon driver), and ends it with the scope', async () => {
    const factory = createDocumentsFactory({
      database: databaseConfigFromEnv(env as DatabaseEnv, { runtime: 'workers' }),
      drivers: [neonDrivers],
      runtime: 'workers',
      cursorSecret: 'workers-test-cursor-secret',
      cache: false,
      logger: silentLogger,
    })
    const before = await standInStats()
    const repos = factory.forTenant({ orgId: org, role: 'editor' })
    const created = await repos.transaction(async (tx) => {
      const doc = await tx.documents.create({ title: 'in a transaction' })
      await tx.summaries.create({ documentId: doc.id, text: 'with its summary' })
      return doc
    })
    expect((await repos.documents.findById(created.id, { include: ['summaries'] })).summaries).toHaveLength(1)
    await repos.dispose()
    // the transaction took one WebSocket; the read after it went over HTTP again
    expect(await standInStats()).toMatchObject({ tunnelsOpened: before.tunnelsOpened + 1 })
  })

  it('refuses a request without a token', async () => {
    const response = await SELF.fetch('http://worker.test/documents')
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })

  it('runs the scheduled handler: the cache-warm job warms what the requests above read', async () => {
    const ctx = createExecutionContext()
    worker.scheduled(createScheduledController({ cron: '*/15 * * * *' }), env as never, ctx)
    await waitOnExecutionContext(ctx)
    const documents = printed.map(validEmf).filter((d) => d.trigger === '*/15 * * * *')
    expect(metricSamples(documents)).toHaveLength(1)
    expect(metricTotal(documents, 'WarmKeysWarmed')).toBeGreaterThanOrEqual(1)
    expect(metricTotal(documents, 'WarmRedisUnavailable')).toBe(0)
  })
})

describe('Powertools metrics in workerd', () => {
  it('prints one valid EMF line for a request', async () => {
    const response = await SELF.fetch('http://worker.test/ping', { headers: { 'cf-ray': 'ray-123' } })
    expect(response.status).toBe(200)

    const documents = printed.map(validEmf).filter((d) => d.requestId === 'ray-123')
    expect(documents).toHaveLength(1)
    expect(metricTotal(documents, 'Requests', { route: 'GET /ping' })).toBe(1)
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']])
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Namespace).toBe('ServerlessDal')
    expect(documents[0]?.service).toBe('documents-api')
  })
})

describe('structured logs in workerd', () => {
  it("writes the scheduled run's line as an object in Powertools Logger's shape (Workers Logs indexes its fields)", async () => {
    const written: unknown[] = []
    vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => {
      written.push(...args)
    })
    const ctx = createExecutionContext()
    await worker.fetch(new Request('http://worker.test/ping'), env as never, ctx) // so the run is not the isolate's first
    worker.scheduled(createScheduledController({ cron: '*/15 * * * *' }), env as never, ctx)
    await waitOnExecutionContext(ctx)
    const line = written.find((arg) => (arg as { message?: string })?.message === 'scheduled run')
    expect(line).toEqual({
      level: 'INFO',
      message: 'scheduled run',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'documents-api',
      cold_start: false, // a request came first
      function_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      trigger: '*/15 * * * *',
      purgedIdempotencyKeys: expect.any(Number),
      warm: expect.objectContaining({ redisUnavailable: false }),
    })
    expect(JSON.parse(JSON.stringify(line))).toEqual(line) // plain JSON values only
  })
})

/** The Neon stand-in's counters: WebSocket tunnels opened and `/sql` batches served (`<secret>/stats`, beside `/sql`). */
async function standInStats(): Promise<{ tunnelsOpened: number; sqlRequests: number }> {
  const stats = new URL('stats', inject('neonHttpEndpoint'))
  return (await fetch(stats)).json() as Promise<{ tunnelsOpened: number; sqlRequests: number }>
}

function metricSamples(documents: ReturnType<typeof validEmf>[]) {
  return documents.flatMap((d) => (d.ScheduledRunDuration === undefined ? [] : [d.ScheduledRunDuration]))
}
