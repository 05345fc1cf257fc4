/**
 * The Lambda entry as Lambda runs it: bundled by esbuild for Node 24 (as a
 * SAM esbuild build does), loaded at init, invoked with API Gateway events.
 * It answers through the Neon driver and writes one valid EMF line per
 * invocation to stdout, carrying Lambda's request id as metadata.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureStdoutEmf, metricTotal } from '../support/emf.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number }>

const VARIABLES = ['DATABASE_URL', 'NEON_WS_PROXY', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME'] as const
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))

let scratch: ScratchDatabase
let neon: NeonStandIn
let handler: Handler
let bundleDir: string

beforeAll(async () => {
  scratch = await createScratchDatabase('lambda')
  neon = await startNeonStandIn({ upstreamUrl: scratch.url })
  Object.assign(process.env, {
    DATABASE_URL: scratch.url,
    NEON_WS_PROXY: neon.webSocketUrl,
    POWERTOOLS_METRICS_NAMESPACE: 'ServerlessDalLambdaTest',
    POWERTOOLS_SERVICE_NAME: 'documents-lambda',
  })
  bundleDir = await mkdtemp(join(tmpdir(), 'dal-lambda-'))
  const outfile = join(bundleDir, 'index.mjs')
  await build({
    entryPoints: ['functions/documents-api/lambda.ts'],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outfile,
    // CommonJS dependencies inside an ESM bundle need a require of their own.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  })
  // The entry reads its configuration at init, as Lambda runs it.
  handler = (await import(pathToFileURL(outfile).href)).handler as Handler
})

afterAll(async () => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
  await neon?.close()
  await scratch?.drop()
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true })
})

function httpApiEvent(method: string, path: string) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example.test' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'gateway-request',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  }
}

const lambdaContext = (awsRequestId: string) => ({ awsRequestId, functionName: 'documents-api' })

describe('the Lambda entry', () => {
  it('flushes one EMF line per invocation, with the request id as metadata', async () => {
    const capture = captureStdoutEmf()
    let health: { statusCode: number } | undefined
    try {
      health = await handler(httpApiEvent('GET', '/health'), lambdaContext('lambda-1'))
      await handler(httpApiEvent('GET', '/missing'), lambdaContext('lambda-2'))
    } finally {
      capture.stop()
    }
    expect(health?.statusCode).toBe(200)

    const documents = capture.documents()
    const byRequest = (id: string) => documents.filter((d) => d.requestId === id)
    expect(metricTotal(byRequest('lambda-1'), 'Requests', { route: 'GET /health' })).toBe(1)
    expect(metricTotal(byRequest('lambda-2'), 'ClientErrors', { route: 'unmatched' })).toBe(1)
    expect(byRequest('lambda-1')).toHaveLength(1) // the request and the cold start share the service-wide line
    expect(metricTotal(documents, 'ColdStart')).toBe(1)
    for (const document of documents) {
      expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe('ServerlessDalLambdaTest')
      expect(document.service).toBe('documents-lambda')
    }
  })
})
