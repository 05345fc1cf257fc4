/**
 * The service's log lines as the runtimes write them: on Lambda, Powertools
 * Logger's JSON (the bundled entry invoked as Lambda invokes it), cold start
 * true on the first invocation then false, the Lambda request id, the X-Ray
 * trace id and the client's correlation id, down to the lines the
 * repositories write; on Node (`npm start`), the same keys from the
 * package's JSON logger. LOG_LEVEL sets what is written, and a level it
 * does not know refuses to start, naming it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LAMBDA_BUILD } from '../../infra/build/build.ts'
import { httpApiEvent } from '../support/http-api-event.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'
import { runScript, type Started, startScript } from '../support/processes.ts'

const JWT_SECRET = 'structured-logs-jwt-secret-0123456789'
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'

type Line = Record<string, unknown>
const logLines = (text: string): Line[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{"level"'))
    .map((line) => JSON.parse(line) as Line)

describe('on Lambda: Powertools Logger', () => {
  type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string> }>
  const VARIABLES = {
    // nothing listens there: every repository read fails as unreachable, and the repositories log it
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    JWT_SECRET,
    LOG_LEVEL: 'debug',
    POWERTOOLS_SERVICE_NAME: 'documents-lambda-logs',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', // as Lambda sets it: Powertools reports cold starts only then
    _X_AMZN_TRACE_ID: TRACE,
  }
  const saved = Object.fromEntries(Object.keys(VARIABLES).map((name) => [name, process.env[name]]))
  let bundleDir: string
  let handler: Handler
  let scheduledHandler: (event: unknown, context: unknown) => Promise<unknown>
  let written: string[] = []

  beforeAll(async () => {
    Object.assign(process.env, VARIABLES)
    bundleDir = await mkdtemp(join(tmpdir(), 'dal-lambda-logs-'))
    const outfile = join(bundleDir, 'index.mjs')
    await build({ ...LAMBDA_BUILD, entryPoints: ['functions/documents-api/lambda.ts'], outfile, logLevel: 'silent' })
    const entry = await import(pathToFileURL(outfile).href)
    handler = entry.handler as Handler
    scheduledHandler = entry.scheduledHandler
  })
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    if (bundleDir) await rm(bundleDir, { recursive: true, force: true })
  })

  /** Invokes the handler, keeping what Powertools' own Console writes to stdout and stderr. */
  async function invoke(path: string, awsRequestId: string, headers: Record<string, string> = {}) {
    written = []
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
        written.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk))
        return true
      }) as typeof stream.write)
    }
    try {
      return await handler(httpApiEvent('GET', path, { headers }), { awsRequestId, functionName: 'documents-api' })
    } finally {
      vi.restoreAllMocks()
    }
  }

  it('writes JSON lines with the Lambda context, cold start on the first invocation, and the ids of each', async () => {
    const token = await signToken(JWT_SECRET, { org: 'acme', role: 'viewer' })
    const failed = await invoke('/documents', 'aws-1', {
      authorization: `Bearer ${token}`,
      'x-request-id': 'checkout-42',
    })
    expect(failed.statusCode).toBe(503)
    expect(failed.headers['x-request-id']).toBe('aws-1')
    const first = logLines(written.join(''))
    const standard = {
      service: 'documents-lambda-logs',
      cold_start: true,
      function_name: 'documents-api',
      function_request_id: 'aws-1',
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      correlation_id: 'checkout-42',
      route: 'GET /documents',
    }
    // the repositories' line, written through the request's logger: its ids, route and organization
    const unreachable = first.find((line) => line.level === 'WARN' && line.repository === 'documents')
    expect(unreachable).toMatchObject({ ...standard, orgId: 'acme', error: 'TransientError' })
    expect(unreachable?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    // LOG_LEVEL=debug (any case): each request's answer
    expect(first.find((line) => line.message === 'request answered')).toMatchObject({
      ...standard,
      level: 'DEBUG',
      status: 503,
      orgId: 'acme',
    })

    const ping = await invoke('/ping', 'aws-2')
    expect(ping.statusCode).toBe(200)
    expect(logLines(written.join(''))).toEqual([
      expect.objectContaining({
        level: 'DEBUG',
        message: 'request answered',
        cold_start: false,
        function_request_id: 'aws-2',
        route: 'GET /ping',
        status: 200,
      }),
    ])
    expect(logLines(written.join(''))[0]).not.toHaveProperty('correlation_id')
  })

  it("gives a scheduled run the invocation's context on each of its lines", async () => {
    const rule = {
      id: 'a1b2c3',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: new Date().toISOString(),
      resources: ['arn:aws:events:eu-central-1:123456789012:rule/documents-maintenance'],
      detail: {},
    }
    written = []
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
        written.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk))
        return true
      }) as typeof stream.write)
    }
    try {
      await scheduledHandler(rule, { awsRequestId: 'aws-3', functionName: 'documents-api' }).catch(() => {})
    } finally {
      vi.restoreAllMocks()
    }
    const lines = logLines(written.join(''))
    expect(lines.map((line) => [line.level, line.message])).toContainEqual(['INFO', 'scheduled invocation'])
    expect(lines.map((line) => [line.level, line.message])).toContainEqual(['ERROR', 'purging idempotency keys failed'])
    for (const line of lines) {
      expect(line).toMatchObject({ service: 'documents-lambda-logs', cold_start: false, function_request_id: 'aws-3' })
    }
    const failed = lines.find((line) => line.message === 'purging idempotency keys failed')
    expect(failed).toMatchObject({ trigger: rule.resources[0], error: { name: expect.any(String) } })
  })
})

describe('on Node: the JSON logger, in the same shape', () => {
  let scratch: ScratchDatabase
  let server: Started
  let base: string

  beforeAll(async () => {
    scratch = await createScratchDatabase('logs')
    server = await startScript(
      'functions/documents-api/node.ts',
      {
        PORT: '0',
        DATABASE_URL: scratch.url,
        JWT_SECRET,
        LOG_LEVEL: 'DEBUG',
        POWERTOOLS_SERVICE_NAME: 'documents-node-logs',
        POWERTOOLS_METRICS_DISABLED: 'true',
        UPSTASH_REDIS_REST_URL: '',
        UPSTASH_REDIS_REST_TOKEN: '',
      },
      /try: curl .* (http:\/\/localhost:\d+)/,
    )
    base = /try: curl .* (http:\/\/localhost:\d+)/.exec(server.stdout())?.[1] as string
  })
  afterAll(async () => {
    await server?.stop()
    await scratch?.drop()
  })

  it('writes one JSON line per event with the request id it answers, cold start first, and the correlation id', async () => {
    const token = await signToken(JWT_SECRET, { org: 'acme', role: 'viewer' })
    const first = await fetch(`${base}/documents`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'checkout-7' },
    })
    expect(first.status).toBe(200)
    const second = await fetch(`${base}/ping`)
    const ids = [first.headers.get('x-request-id'), second.headers.get('x-request-id')]

    await vi.waitFor(() => expect(logLines(server.stdout())).toHaveLength(2))
    const [documents, ping] = logLines(server.stdout())
    expect(documents).toEqual({
      level: 'DEBUG',
      message: 'request answered',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'documents-node-logs',
      cold_start: true,
      function_request_id: ids[0],
      correlation_id: 'checkout-7',
      route: 'GET /documents',
      orgId: 'acme',
      status: 200,
      durationMs: expect.any(Number),
    })
    expect(ping).toMatchObject({ cold_start: false, function_request_id: ids[1], route: 'GET /ping' })
    // the start-up lines stay text, for people
    expect(server.stdout()).toMatch(/^documents API on http:\/\/localhost:\d+ \(Postgres via pg\)$/m)
  })

  it('refuses to start with a LOG_LEVEL it does not know, naming it', async () => {
    const refused = await runScript('functions/documents-api/node.ts', [], {
      DATABASE_URL: scratch.url,
      JWT_SECRET,
      LOG_LEVEL: 'verbose',
    })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('LOG_LEVEL must be')
    expect(refused.stdout).not.toContain('migrating')
  })
})
