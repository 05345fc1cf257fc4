/**
 * The Powertools adapter writes what Powertools Logger writes for a Lambda
 * handler, and the JSON logger writes the same keys for the same lines: one
 * query reads both.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LogContext } from '../logger.ts'
import { JsonLogger } from './json-logger.ts'
import { PowertoolsLogger } from './powertools-logger.ts'

const VARIABLES = ['AWS_LAMBDA_INITIALIZATION_TYPE', '_X_AMZN_TRACE_ID', 'POWERTOOLS_DEV', 'AWS_LAMBDA_LOG_LEVEL']
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))
let written: string[] = []

beforeEach(() => {
  for (const name of VARIABLES) delete process.env[name]
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand' // as Lambda sets it
  written = []
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string) => {
      written.push(...String(chunk).split('\n').filter(Boolean))
      return true
    }) as typeof stream.write)
  }
})
afterEach(() => {
  vi.restoreAllMocks()
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

const lambdaContext = (awsRequestId: string) => ({
  awsRequestId,
  functionName: 'documents-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:documents-api',
  memoryLimitInMB: '1024',
})

const records = () => written.map((line) => JSON.parse(line) as LogContext)

describe('the Powertools logger', () => {
  it("writes Powertools' Lambda keys, cold start on the first invocation only, and the invocation's ids", () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
    const logger = new PowertoolsLogger({ serviceName: 'documents-api', level: 'INFO' })
    logger
      .forInvocation({ requestId: 'aws-1', correlationId: 'checkout-42', lambdaContext: lambdaContext('aws-1') })
      .child({ route: 'GET /documents/:id' })
      .warn('slow query', { durationMs: 1250 })
    logger.forInvocation({ requestId: 'aws-2', lambdaContext: lambdaContext('aws-2') }).info('request')

    const [first, second] = records()
    expect(first).toEqual({
      level: 'WARN',
      message: 'slow query',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'documents-api',
      cold_start: true,
      function_arn: 'arn:aws:lambda:eu-central-1:123456789012:function:documents-api',
      function_memory_size: '1024',
      function_name: 'documents-api',
      function_request_id: 'aws-1',
      sampling_rate: 0, // POWERTOOLS_LOGGER_SAMPLE_RATE: the share of invocations logged at DEBUG
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      correlation_id: 'checkout-42',
      route: 'GET /documents/:id',
      durationMs: 1250,
    })
    expect(second).toMatchObject({ level: 'INFO', cold_start: false, function_request_id: 'aws-2' })
    expect(second).not.toHaveProperty('correlation_id') // the first invocation's keys stayed on its own logger
  })

  it('honours the level it is given', () => {
    const logger = new PowertoolsLogger({ level: 'ERROR' })
    logger.info('dropped')
    logger.warn('dropped')
    logger.error('kept')
    logger.critical('kept too')
    expect(records().map((r) => r.level)).toEqual(['ERROR', 'CRITICAL'])
  })

  it('writes the keys the JSON logger writes, in the same order, for the same line', () => {
    const invocation = { requestId: 'aws-3', correlationId: 'c-1', lambdaContext: lambdaContext('aws-3') }
    new PowertoolsLogger({ serviceName: 'documents-api' })
      .forInvocation(invocation)
      .child({ orgId: 'acme' })
      .error('unhandled error', { error: new Error('boom') })
    const lines: LogContext[] = []
    new JsonLogger({ serviceName: 'documents-api', write: (_level, record) => lines.push(record) })
      .forInvocation(invocation)
      .child({ orgId: 'acme' })
      .error('unhandled error', { error: new Error('boom') })

    const lambdaOnly = new Set(['function_arn', 'function_memory_size', 'function_name', 'sampling_rate'])
    const powertools = records()[0] ?? {}
    expect(Object.keys(powertools).filter((key) => !lambdaOnly.has(key))).toEqual(Object.keys(lines[0] ?? {}))
    expect(Object.keys(powertools.error as LogContext)).toEqual(Object.keys((lines[0]?.error ?? {}) as LogContext))
  })

  it('writes the request id without a Lambda context too', () => {
    new PowertoolsLogger().forInvocation({ requestId: 'local-1' }).info('request')
    expect(records()[0]).toMatchObject({ service: 'service_undefined', function_request_id: 'local-1' })
  })
})
