/**
 * `npm start` end to end over HTTP: on its embedded default (PGlite, seeded,
 * with the token it prints) and on Postgres and Redis through the stand-ins
 * (the variables `npm run services` prints, a token from `npm run token`).
 */
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EmbeddedServer, READY, startEmbeddedServer } from '../../support/embedded-server.ts'
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.ts'
import { envLines, runScript, type Started, startScript, startServices } from '../../support/processes.ts'
import { testRedisUrl } from '../../support/redis.ts'

function endpoints(server: Started) {
  const [, token, base] = /Bearer ([\w.-]+)" (http:\/\/localhost:\d+)/.exec(server.stdout()) ?? []
  return { token: token as string, base: base as string }
}

describe('npm start on the embedded default', () => {
  let embedded: EmbeddedServer
  let server: Started
  beforeAll(async () => {
    embedded = await startEmbeddedServer('node')
    server = embedded.server
  })
  afterAll(() => embedded?.stop())

  it('serves the seeded sample data with the token it prints, and takes writes', async () => {
    const { token, base } = endpoints(server)
    expect(server.stdout()).toContain('seeded 4 sample documents for organization "acme"')
    const auth = { authorization: `Bearer ${token}` }
    const list = await fetch(`${base}/documents?status=published`, { headers: auth })
    expect(list.status).toBe(200)
    const page = (await list.json()) as { items: Array<{ id: number; title: string }> }
    expect(page.items.map((d) => d.title).sort()).toEqual(['Caching with tag generations', 'Connections on Workers'])

    const created = await fetch(`${base}/documents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'over HTTP' }),
    })
    expect(created.status).toBe(201)
    const location = created.headers.get('location') as string
    const read = await fetch(`${base}${location}`, { headers: auth })
    expect(await read.json()).toMatchObject({ title: 'over HTTP', version: 1 })
    const related = await fetch(`${base}/documents/${page.items[0]?.id}/related`, { headers: auth })
    expect(related.status).toBe(200)
  })
})

describe('npm start on Postgres and Redis through the stand-ins', () => {
  const JWT_SECRET = 'node-server-test-secret-0123456789'
  const namespace = `node-${Date.now().toString(36)}`
  let scratch: ScratchDatabase
  let services: Started
  let server: Started
  beforeAll(async () => {
    scratch = await createScratchDatabase('node_server')
    services = await startServices(scratch.url, testRedisUrl())
    server = await startScript(
      'functions/documents-api/node.ts',
      {
        ...envLines(services.stdout()),
        PORT: '0',
        JWT_SECRET,
        CACHE_NAMESPACE: namespace,
        HOT_KEY_SAMPLE_EVERY: '1',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      READY,
    )
  })
  afterAll(async () => {
    await server?.stop()
    await services?.stop()
    await scratch?.drop()
  })

  it('migrates Postgres at start, caches in Redis, and accepts a token from npm run token', async () => {
    const { base } = endpoints(server)
    expect(server.stdout()).toContain('Postgres via neon-pool, Redis cache')
    const health = await fetch(`${base}/health`)
    expect(await health.json()).toEqual({ status: 'ok', db: 'ok', cache: 'ok' })

    const minted = await runScript('functions/documents-api/bin/token.ts', ['--org', 'globex', '--role', 'admin'], {
      JWT_SECRET,
    })
    expect(minted.code).toBe(0)
    const auth = { authorization: `Bearer ${minted.stdout.trim()}` }
    const created = await fetch(`${base}/documents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'on Postgres' }),
    })
    expect(created.status).toBe(201)
    const location = created.headers.get('location') as string
    const miss = await fetch(`${base}${location}`, { headers: auth })
    expect(miss.headers.get('cache-status')).toContain('fwd=miss')
    const hit = await fetch(`${base}${location}`, { headers: auth })
    expect(hit.headers.get('cache-status')).toMatch(/^dal-memory; hit; ttl=\d+$/)
    expect(hit.headers.get('age')).toMatch(/^\d+$/)
    expect((await fetch(`${base}${location}`, { method: 'DELETE', headers: auth })).status).toBe(204)
    expect((await fetch(`${base}${location}`, { headers: auth })).status).toBe(404)

    const refused = await runScript('functions/documents-api/bin/token.ts', ['--org', 'no spaces!'], {})
    expect(refused.code).toBe(2)
  })

  it('serves every route with DATABASE_DRIVER=neon-http, migrating over WebSockets at start', async () => {
    const overHttp = await startScript(
      'functions/documents-api/node.ts',
      {
        ...envLines(services.stdout()),
        DATABASE_DRIVER: 'neon-http',
        PORT: '0',
        JWT_SECRET,
        CACHE_NAMESPACE: `${namespace}-http`,
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      READY,
    )
    try {
      expect(overHttp.stdout()).toContain('Postgres via neon-http')
      const { base } = endpoints(overHttp)
      const auth = { authorization: `Bearer ${await signToken(JWT_SECRET, { org: 'http-org', role: 'admin' })}` }
      const json = { ...auth, 'content-type': 'application/json' }
      const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
        fetch(`${base}${path}`, {
          method,
          headers: { ...json, ...headers },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        })
      const topic = (await (await send('POST', '/topics', { name: 'http' })).json()) as { id: number }
      const key = { 'idempotency-key': 'over-http' }
      const created = await send('POST', '/documents', { title: 'a', topicIds: [topic.id], summary: 's' }, key)
      expect(created.status).toBe(201)
      const doc = (await created.json()) as { id: number }
      expect(
        (await send('POST', '/documents', { title: 'a', topicIds: [topic.id], summary: 's' }, key)).headers.get(
          'idempotent-replayed',
        ),
      ).toBe('true')
      const other = (await (await send('POST', '/documents', { title: 'b' })).json()) as { id: number }
      const statuses = [
        (await send('GET', `/documents/${doc.id}`)).status,
        (await send('GET', '/documents?limit=5')).status,
        (await send('PATCH', `/documents/${doc.id}`, { title: 'a2' }, { 'if-match': '"1"' })).status,
        (await send('POST', `/documents/${doc.id}/links`, { targetId: other.id })).status,
        (await send('GET', `/documents/${doc.id}/related`)).status,
        (await send('GET', `/topics/${topic.id}/documents`)).status,
        (await send('DELETE', `/documents/${other.id}`)).status,
      ]
      expect(statuses).toEqual([200, 200, 200, 201, 200, 200, 204])
    } finally {
      await overHttp.stop()
    }
  })

  it('warms what the traffic read with npm run warm', async () => {
    const { base, token } = endpoints(server)
    const auth = { authorization: `Bearer ${token}` }
    const created = await fetch(`${base}/documents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'to warm', status: 'published' }),
    })
    await fetch(`${base}${created.headers.get('location')}`, { headers: auth })
    const run = await runScript('functions/documents-api/bin/warm.ts', [], {
      ...envLines(services.stdout()),
      JWT_SECRET,
      CACHE_NAMESPACE: namespace,
    })
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/warming \[#+\] \d+\/\d+/)
    const result = JSON.parse(run.stdout) as { warm: { warmed: number; failed: number; redisUnavailable: boolean } }
    expect(result.warm).toMatchObject({ failed: 0, redisUnavailable: false })
    expect(result.warm.warmed).toBeGreaterThanOrEqual(2)

    const without = await runScript('functions/documents-api/bin/warm.ts', [], { UPSTASH_REDIS_REST_URL: '' })
    expect(without.code).toBe(2)
  })
})
