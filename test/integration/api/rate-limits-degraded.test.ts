/**
 * Per-organization rate limits when Redis cannot count: Redis down lets
 * requests through, counted as `RateLimitFailOpen` and warned about once,
 * never a 500; without Redis each isolate counts in its memory, with the
 * same answers; a bad RATE_LIMIT_* value refuses to start, naming it.
 */
import worker from '@serverless-dal/documents-api/worker.ts'
import { Redis } from '@upstash/redis'
import type { ExecutionContext } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { problemOf } from '../../support/api.ts'
import { captureStdoutEmf, metricTotal } from '../../support/emf.ts'
import { runScript } from '../../support/processes.ts'
import {
  as,
  awayFromEdge,
  FIVE_AN_HOUR,
  rateLimitFieldsOf as fields,
  limitedService,
} from '../../support/rate-limits.ts'
import { neonPoolBackend, orgId, type RepositoryBackend } from '../../support/repository-backends.ts'

/** What the Worker's fetch takes: wrangler.toml's vars and secrets (its generated Env) and the optional variables. */
type WorkerEnv = Parameters<typeof worker.fetch>[1]

let backend: RepositoryBackend
beforeAll(async () => {
  backend = neonPoolBackend()
  await backend.setup()
})
afterAll(() => backend?.teardown())

const service = (
  env: Parameters<typeof limitedService>[1],
  redis?: Parameters<typeof limitedService>[2],
  timeoutMs?: number,
) => limitedService(backend, env, redis, timeoutMs)

describe('rate limits when Redis is down', () => {
  it('let requests through, counted as RateLimitFailOpen and warned once, never a 500', async () => {
    // nothing listens on port 9; the entries' own client settings (retries and all)
    const down = new Redis({ url: 'http://127.0.0.1:9', token: 'unused', enableTelemetry: false })
    const api = service(
      { ...FIVE_AN_HOUR, POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_METRICS_NAMESPACE: 'RateLimitTest' },
      down,
      150,
    )
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const capture = captureStdoutEmf()
    try {
      const flooder = as(api, orgId('redis-down'))
      const statuses = []
      for (let i = 0; i < 8; i++) statuses.push((await flooder.get()).status)
      await api.background.settled()
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200]) // more than the limit: nobody could count
      expect(metricTotal(capture.documents(), 'RateLimitFailOpen')).toBe(8)
      expect(metricTotal(capture.documents(), 'RateLimited')).toBe(0)
      expect(metricTotal(capture.documents(), 'ServerErrors')).toBe(0)
      const warnings = warn.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('rate limit'))
      expect(warnings).toHaveLength(1)
      expect(JSON.parse(warnings[0] as string)).toMatchObject({
        level: 'WARN',
        message: 'rate limit not checked: requests go through',
      })
    } finally {
      capture.stop()
      warn.mockRestore()
    }
  })
})

describe('rate limits without Redis', () => {
  it('count in each isolate’s memory, with the same answers', async () => {
    await awayFromEdge(3600)
    const env = { RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_S: '3600' }
    const isolate = service(env)
    const org = orgId('memory')
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await as(isolate, org).get()).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const refused = await as(isolate, org).get()
    expect(await problemOf(refused)).toMatchObject({ status: 429 })
    expect(fields(refused)).toMatchObject({ 'ratelimit-policy': '3;w=3600', 'ratelimit-remaining': '0' })
    expect((await as(isolate, orgId('memory-bystander')).get()).status).toBe(200)
    // another isolate counts alone: per isolate is all memory can do (README: use Redis to share the count)
    expect((await as(service(env), org).get()).status).toBe(200)
  })
})

const STRONG_SECRET = 'rate-limit-tests-secret-of-32-bytes-or-more'

describe('rate limit settings', () => {
  it('refuse to start with a value that is not a whole number, naming the variable', async () => {
    expect(() => service({ RATE_LIMIT_REQUESTS: 'ten' })).toThrow('RATE_LIMIT_REQUESTS')
    expect(() => service({ RATE_LIMIT_REQUESTS: '10', RATE_LIMIT_WINDOW_S: '0' })).toThrow('RATE_LIMIT_WINDOW_S')

    // the Worker cannot refuse to start: it says why on every request
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext
    const answer = await worker.fetch(
      new Request('http://worker/documents'),
      // only what this check needs, none of wrangler.toml's vars: hence the cast
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:9/unused',
        JWT_SECRET: STRONG_SECRET,
        RATE_LIMIT_WINDOW_S: '60',
      } as WorkerEnv,
      ctx,
    )
    expect(await problemOf(answer)).toMatchObject({
      status: 500,
      detail: expect.stringContaining('RATE_LIMIT_REQUESTS'),
    })

    // npm start stops before it opens the database
    const refused = await runScript('functions/documents-api/node.ts', [], { RATE_LIMIT_REQUESTS: '-1' })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('RATE_LIMIT_REQUESTS must be a whole number')
    expect(refused.stdout).not.toContain('migrating')
  })
})
