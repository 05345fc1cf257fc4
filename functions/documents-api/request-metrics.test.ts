/** Each request flushes one batch of its own metrics, whatever happened to it. */
import { createDocumentsFactory } from '@serverless-dal/documents'
import { type DatabaseLifetime, type MetricsBatch, RepositoryMetrics, silentLogger } from '@serverless-dal/repository'
import { describe, expect, it } from 'vitest'
import { createApp } from './app.ts'

function appWithRecordedMetrics(databases: DatabaseLifetime) {
  const batches: MetricsBatch[] = []
  const metrics = new RepositoryMetrics({ sink: { publish: (batch) => batches.push(batch) } })
  metrics.startInvocation().flush() // the cold start
  batches.length = 0
  const factory = createDocumentsFactory({ database: databases, cache: false, metrics, logger: silentLogger })
  return { app: createApp({ databases, metrics, factory, jwtSecret: 'request-metrics-test-secret' }), batches }
}

/** A lifetime whose lease fails: an injected fault that makes /health throw. */
const brokenDatabases: DatabaseLifetime = {
  lease: () => {
    throw new Error('injected: no database')
  },
  dispose: async () => {},
}

const metric = (batch: MetricsBatch | undefined, name: string) =>
  batch?.groups.flatMap((g) =>
    g.metrics.filter((m) => m.name === name).map((m) => ({ ...g.dimensions, values: m.values })),
  )

describe('request metrics', () => {
  it('flushes one batch per request, with the registered route as metadata', async () => {
    const { app, batches } = appWithRecordedMetrics(brokenDatabases)
    const first = await app.request('/ping', { headers: { 'x-request-id': 'req-1' } })
    const forged = await app.request('/ping', { headers: { 'x-request-id': 'not a <plain> token', 'cf-ray': 'ray-1' } })
    expect(forged.headers.get('x-request-id')).not.toBe('ray-1') // off Workers, cf-ray is just a header anyone sends

    expect(batches).toHaveLength(2)
    // the id is the server's, answered as X-Request-Id; the client's is only a correlation field
    const id = first.headers.get('x-request-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(batches[0]?.metadata).toEqual({ requestId: id, correlationId: 'req-1', route: 'GET /ping' })
    expect(batches[1]?.metadata).not.toHaveProperty('correlationId')
    expect(metric(batches[0], 'Requests')).toEqual([{ values: [1] }])
    expect(metric(batches[0], 'RequestDuration')).toHaveLength(1)
    expect(metric(batches[0], 'ServerErrors')).toEqual([])
  })

  it('still flushes when the route throws, counting a server error', async () => {
    const { app, batches } = appWithRecordedMetrics(brokenDatabases)
    const response = await app.request('/health')

    expect(response.status).toBe(500)
    expect(batches).toHaveLength(1)
    expect(metric(batches[0], 'ServerErrors')).toEqual([{ values: [1] }])
    expect(batches[0]?.metadata.route).toBe('GET /health')
  })

  it('labels a request no route matched without its raw path', async () => {
    const { app, batches } = appWithRecordedMetrics(brokenDatabases)
    const response = await app.request('/no/such/path/12345')

    expect(response.status).toBe(404)
    expect(metric(batches[0], 'ClientErrors')).toEqual([{ values: [1] }])
    expect(batches[0]?.metadata.route).toBe('unmatched')
  })
})
