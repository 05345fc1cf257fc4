/**
 * One configuration, checked at every start: a value an entry cannot use stops
 * it, naming the variable and what it accepts — on Node, on Lambda, in the
 * Worker (which says so on every request) and in `npm run services`. Before,
 * a bad HOT_KEY_SAMPLE_EVERY or CACHE_MEMORY_MAX_BYTES was silently ignored.
 */
import worker from '@serverless-dal/documents-api/worker.ts'
import type { ExecutionContext } from 'hono'
import { describe, expect, it } from 'vitest'
import { problemOf } from '../support/api.ts'
import { runScript } from '../support/processes.ts'

/** What the Worker's fetch takes: wrangler.toml's vars and secrets (its generated Env) and the optional variables. */
type WorkerEnv = Parameters<typeof worker.fetch>[1]

const STRONG_SECRET = 'configuration-tests-secret-of-32-bytes'

describe('a bad variable', () => {
  it('stops npm start before it opens the database, naming the variable and what it accepts', async () => {
    const refused = await runScript('functions/documents-api/node.ts', [], {
      HOT_KEY_SAMPLE_EVERY: 'often',
      CACHE_MEMORY_MAX_BYTES: '32MB',
    })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('HOT_KEY_SAMPLE_EVERY must be a whole number from 1 to 999999999, not "often"')
    expect(refused.stderr).toContain('CACHE_MEMORY_MAX_BYTES must be a whole number from 1024')
    expect(refused.stdout).not.toContain('migrating')

    const badPort = await runScript('functions/documents-api/node.ts', [], { PORT: 'http' })
    expect(badPort.code).toBe(2)
    expect(badPort.stderr).toContain('PORT must be a whole number from 0 to 65535')
  })

  it('fails the Lambda at init', async () => {
    const refused = await runScript('functions/documents-api/lambda.ts', [], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/unused',
      JWT_SECRET: STRONG_SECRET,
      CACHE_MEMORY: 'disabled',
    })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('CACHE_MEMORY must be one of on, off, not "disabled"')
  })

  it('makes every answer of the Worker a 500 that says which variable', async () => {
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext
    const env = {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/unused',
      JWT_SECRET: STRONG_SECRET,
      SLOW_QUERY_MS: '1s',
    }
    // only what this check needs, none of wrangler.toml's vars: hence the cast
    const answer = await worker.fetch(new Request('http://worker/documents'), env as WorkerEnv, ctx)
    expect(await problemOf(answer)).toMatchObject({
      status: 500,
      detail: expect.stringContaining('SLOW_QUERY_MS must be a whole number'),
    })
  })

  it('stops npm run services before it starts anything', async () => {
    const refused = await runScript('infra/local-services/bin/services.ts', [], { SERVICES_DELAY_MS: '5ms' })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('SERVICES_DELAY_MS must be a whole number from 0 to 10000, not "5ms"')
    expect(refused.stdout).toBe('')
  })
})
