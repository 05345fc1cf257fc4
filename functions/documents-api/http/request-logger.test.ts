/** Each request logs through a logger of its own: its ids, route and organization on every line. */
import { createDocumentsFactory } from '@serverless-dal/documents'
import {
  type DatabaseLifetime,
  JsonLogger,
  type LogContext,
  type LogLevel,
  RepositoryMetrics,
  silentLogger,
} from '@serverless-dal/repository'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import { signToken } from './auth.ts'

const SECRET = 'request-logger-test-secret-0123456789'

function appWithRecordedLogs(level: LogLevel = 'INFO') {
  const records: LogContext[] = []
  const logger = new JsonLogger({
    serviceName: 'documents-api',
    level,
    write: (_level, record) => records.push(record),
  })
  // A lifetime whose lease fails: /health throws (a 500), and every repository read is refused.
  const databases: DatabaseLifetime = {
    lease: () => {
      throw new Error('injected: no database')
    },
    dispose: async () => {},
  }
  const metrics = new RepositoryMetrics()
  const factory = createDocumentsFactory({ database: databases, cache: false, metrics, logger: silentLogger })
  return { app: createApp({ databases, metrics, factory, jwtSecret: SECRET, logger }), records }
}

describe('the request logger', () => {
  it('logs a 500 once, with the id the answer carries, the correlation id, the route and the error', async () => {
    const { app, records } = appWithRecordedLogs()
    const response = await app.request('/health', { headers: { 'x-request-id': 'checkout-42' } })
    expect(response.status).toBe(500)
    const requestId = response.headers.get('x-request-id')
    expect(((await response.json()) as { requestId: string }).requestId).toBe(requestId)

    expect(records).toEqual([
      {
        level: 'ERROR',
        message: 'unhandled error',
        timestamp: expect.any(String),
        service: 'documents-api',
        cold_start: true,
        function_request_id: requestId,
        correlation_id: 'checkout-42',
        route: 'GET /health',
        error: expect.objectContaining({ name: 'Error', message: 'injected: no database', stack: expect.any(String) }),
      },
    ])
  })

  it('writes nothing for a request that goes well at INFO, and its answer at DEBUG, with the organization', async () => {
    const quiet = appWithRecordedLogs('INFO')
    await quiet.app.request('/ping')
    expect(quiet.records).toEqual([])

    const { app, records } = appWithRecordedLogs('DEBUG')
    await app.request('/ping')
    const token = await signToken(SECRET, { org: 'acme', role: 'viewer' })
    const refused = await app.request('/documents/1', { headers: { authorization: `Bearer ${token}` } })
    expect(refused.status).toBeGreaterThanOrEqual(500)
    expect(records.filter((r) => r.message === 'request answered')).toEqual([
      expect.objectContaining({ level: 'DEBUG', cold_start: true, route: 'GET /ping', status: 200 }),
      expect.objectContaining({
        cold_start: false,
        route: 'GET /documents/:id',
        orgId: 'acme',
        status: refused.status,
      }),
    ])
  })
})
