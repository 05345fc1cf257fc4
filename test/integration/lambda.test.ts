/**
 * The Lambda entry as Lambda runs it: bundled by esbuild for Node 24 (as a
 * SAM esbuild build does), loaded at init, invoked with API Gateway HTTP API
 * v2 events (a GET with a query, a POST with a JSON body, a base64-encoded
 * body), a classic EventBridge scheduled event and an EventBridge Scheduler
 * payload. It answers through the Neon driver and writes one valid EMF line
 * per invocation to stdout, carrying Lambda's request id as metadata.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { documentsMigrations } from '@serverless-dal/documents'
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import {
  type NeonStandIn,
  startNeonStandIn,
  startUpstashBridge,
  type UpstashBridge,
} from '@serverless-dal/local-services'
import { createDatabase, migrateToLatest } from '@serverless-dal/repository'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LAMBDA_BUILD } from '../../infra/build/build.ts'
import { allDrivers } from '../support/drivers.ts'
import { captureStdoutEmf, metricTotal } from '../support/emf.ts'
import { httpApiEvent } from '../support/http-api-event.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'
import { testRedisUrl } from '../support/redis.ts'

type Handler = (
  event: unknown,
  context: unknown,
) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>
type ScheduledHandler = (
  event: unknown,
) => Promise<{ purgedIdempotencyKeys: number; warm: { warmed: number; tenants: number; redisUnavailable: boolean } }>

const JWT_SECRET = 'lambda-test-jwt-secret-0123456789'
const VARIABLES = [
  'DATABASE_URL',
  'NEON_WS_PROXY',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
  'CACHE_NAMESPACE',
  'JWT_SECRET',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_SERVICE_NAME',
] as const
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))

let scratch: ScratchDatabase
let neon: NeonStandIn
let bridge: UpstashBridge
let handler: Handler
let scheduledHandler: ScheduledHandler
let bundleDir: string
let token: string

beforeAll(async () => {
  scratch = await createScratchDatabase('lambda')
  neon = await startNeonStandIn({ upstreamUrl: scratch.url })
  bridge = await startUpstashBridge({ redisUrl: testRedisUrl(), token: 'lambda-tests' })
  Object.assign(process.env, {
    DATABASE_URL: scratch.url,
    NEON_WS_PROXY: neon.webSocketUrl,
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    CACHE_NAMESPACE: `lambda-${Date.now().toString(36)}`,
    JWT_SECRET,
    POWERTOOLS_METRICS_NAMESPACE: 'ServerlessDalLambdaTest',
    POWERTOOLS_SERVICE_NAME: 'documents-lambda',
  })
  bundleDir = await mkdtemp(join(tmpdir(), 'dal-lambda-'))
  const outfile = join(bundleDir, 'index.mjs')
  await build({ ...LAMBDA_BUILD, entryPoints: ['functions/documents-api/lambda.ts'], outfile, logLevel: 'silent' })
  const database = createDatabase(
    {
      driver: 'neon-pool',
      connectionString: scratch.url,
      proxy: { webSocketUrl: neon.webSocketUrl },
    },
    allDrivers,
  )
  await migrateToLatest(database.db, documentsMigrations)
  await database.dispose()
  // The entry reads its configuration at init, as Lambda runs it.
  const entry = await import(pathToFileURL(outfile).href)
  handler = entry.handler as Handler
  scheduledHandler = entry.scheduledHandler as ScheduledHandler
  token = await signToken(JWT_SECRET, { org: 'lambda-org', role: 'editor' })
})

afterAll(async () => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
  await neon?.close()
  await bridge?.close()
  await scratch?.drop()
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true })
})

const authorized = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

const lambdaContext = (awsRequestId: string) => ({ awsRequestId, functionName: 'documents-api' })

describe('the Lambda entry', () => {
  it('refuses to start without JWT_SECRET', async () => {
    const { spawnSync } = await import('node:child_process')
    const bundle = pathToFileURL(join(bundleDir, 'index.mjs')).href
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(bundle)})`], {
      env: { PATH: process.env.PATH, DATABASE_URL: scratch.url },
      encoding: 'utf8',
    })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain('JWT_SECRET is not configured')
  })

  it('serves the API: a JSON POST, a base64-encoded POST, a GET with a query', async () => {
    const plain = await handler(
      httpApiEvent('POST', '/documents', { headers: authorized(), body: JSON.stringify({ title: 'from lambda' }) }),
      lambdaContext('post-json'),
    )
    expect(plain.statusCode).toBe(201)
    expect(JSON.parse(plain.body)).toMatchObject({ title: 'from lambda', version: 1 })

    const encoded = await handler(
      httpApiEvent('POST', '/documents', {
        headers: authorized(),
        body: Buffer.from(JSON.stringify({ title: 'über base64', status: 'published' })).toString('base64'),
        base64: true,
      }),
      lambdaContext('post-base64'),
    )
    expect(encoded.statusCode).toBe(201)
    expect(JSON.parse(encoded.body)).toMatchObject({ title: 'über base64', status: 'published' })

    const listed = await handler(
      httpApiEvent('GET', '/documents', { headers: authorized(), query: 'status=published&limit=5' }),
      lambdaContext('get-query'),
    )
    expect(listed.statusCode).toBe(200)
    const page = JSON.parse(listed.body) as { items: Array<{ title: string }>; nextCursor: string | null }
    expect(page.items.map((item) => item.title)).toEqual(['über base64'])
  })

  it("answers a body the schema refuses with zod's English messages (the bundle keeps only English)", async () => {
    const refused = await handler(
      httpApiEvent('POST', '/documents', {
        headers: authorized(),
        body: JSON.stringify({ title: '', status: 'gone' }),
      }),
      lambdaContext('post-invalid'),
    )
    expect(refused.statusCode).toBe(400)
    const { detail } = JSON.parse(refused.body) as { detail: string }
    expect(detail).toContain('title: Too small: expected string to have >=1 characters')
    expect(detail).toContain('status: Invalid option: expected one of "draft"|"published"|"archived"')
  })

  it('serves a plain Postgres URL (RDS, Aurora, a local server) through node-postgres, chosen by itself', async () => {
    // the same bundle, loaded again under another name with no Neon variable set: as on Lambda with RDS
    const copy = join(bundleDir, 'index-plain-postgres.mjs')
    await copyFile(join(bundleDir, 'index.mjs'), copy)
    const proxy = process.env.NEON_WS_PROXY
    delete process.env.NEON_WS_PROXY
    const plain = await import(pathToFileURL(copy).href).finally(() => {
      process.env.NEON_WS_PROXY = proxy
    })
    const before = neon.stats()
    const created = await (plain.handler as Handler)(
      httpApiEvent('POST', '/documents', { headers: authorized(), body: JSON.stringify({ title: 'over tcp' }) }),
      lambdaContext('pg-post'),
    )
    expect(created.statusCode).toBe(201)
    const { id } = JSON.parse(created.body) as { id: number }
    const read = await (plain.handler as Handler)(
      httpApiEvent('GET', `/documents/${id}`, { headers: authorized() }),
      lambdaContext('pg-get'),
    )
    expect(JSON.parse(read.body)).toMatchObject({ id, title: 'over tcp' })
    expect(neon.stats()).toEqual(before) // neither a WebSocket nor an HTTP batch: straight to Postgres
  })

  it('runs the scheduled job on an EventBridge event: the hot keys of the traffic get warmed', async () => {
    // traffic: the API's reads are sampled into the hot-key sets (one in ten)
    const created = await handler(
      httpApiEvent('POST', '/documents', { headers: authorized(), body: JSON.stringify({ title: 'warm me' }) }),
      lambdaContext('warm-post'),
    )
    const { id } = JSON.parse(created.body) as { id: number }
    for (let i = 0; i < 10; i++) {
      await handler(httpApiEvent('GET', `/documents/${id}`, { headers: authorized() }), lambdaContext(`warm-get-${i}`))
    }
    const event = {
      version: '0',
      id: 'a1b2c3',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'eu-central-1',
      resources: ['arn:aws:events:eu-central-1:123456789012:rule/documents-maintenance'],
      detail: {},
    }
    const capture = captureStdoutEmf()
    try {
      const result = await scheduledHandler(event)
      expect(result.purgedIdempotencyKeys).toBe(0)
      expect(result.warm).toMatchObject({ redisUnavailable: false, tenants: 1 })
      expect(result.warm.warmed).toBeGreaterThanOrEqual(1)
    } finally {
      capture.stop()
    }
    const documents = capture.documents().filter((d) => d.trigger === event.resources[0])
    // one service-wide line, and one per operation the warm job ran
    expect(documents.filter((d) => d.ScheduledRunDuration !== undefined)).toHaveLength(1)
    expect(metricTotal(documents, 'WarmKeysWarmed')).toBeGreaterThanOrEqual(1)
    expect(metricTotal(documents, 'OperationCount', { repository: 'documents', operation: 'findById' })).toBe(1)
  })

  it('runs the scheduled job on an EventBridge Scheduler (ScheduleV2) payload, labelled with the schedule', async () => {
    // what Scheduler sends for the template's Input, its context attributes filled in
    const schedule = 'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/dal-ScheduledFunctionEvery15Minutes'
    const event = {
      schedule,
      scheduledTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      executionId: 'd32c5kddcf5bb8c3',
      attempt: '1',
    }
    const capture = captureStdoutEmf()
    try {
      const result = await scheduledHandler(event)
      expect(result.warm).toMatchObject({ redisUnavailable: false })
    } finally {
      capture.stop()
    }
    const documents = capture.documents().filter((d) => d.trigger === schedule)
    expect(documents.filter((d) => d.ScheduledRunDuration !== undefined)).toHaveLength(1)
  })

  it('flushes one EMF line per invocation, with the request id as metadata', async () => {
    const capture = captureStdoutEmf()
    let health: Awaited<ReturnType<Handler>> | undefined
    try {
      health = await handler(httpApiEvent('GET', '/health'), lambdaContext('lambda-1'))
      expect(JSON.parse(health.body)).toEqual({ status: 'ok', db: 'ok', cache: 'ok' })
      await handler(httpApiEvent('GET', '/missing'), lambdaContext('lambda-2'))
    } finally {
      capture.stop()
    }
    expect(health?.statusCode).toBe(200)

    const documents = capture.documents()
    const byRequest = (id: string) => documents.filter((d) => d.requestId === id)
    expect(metricTotal(byRequest('lambda-1'), 'Requests', { route: 'GET /health' })).toBe(1)
    expect(metricTotal(byRequest('lambda-2'), 'ClientErrors', { route: 'unmatched' })).toBe(1)
    expect(byRequest('lambda-1')).toHaveLength(1) // one service-wide line
    for (const document of documents) {
      expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe('ServerlessDalLambdaTest')
      expect(document.service).toBe('documents-lambda')
    }
  })
})
