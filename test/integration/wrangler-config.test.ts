/**
 * wrangler.toml as the deploy docs (docs/deploy-workers.md) use it: the Worker's
 * `Env` type generated from it and checked in, and its staging and production
 * environments, as wrangler reads them (it refuses a configuration with errors).
 * Wrangler runs offline, as `npm run build` runs it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { unstable_readConfig } from 'wrangler'
import { SERVICE_VARIABLES } from '../../functions/documents-api/config/variables.ts'
import { generateWorkerTypes, WORKER_TYPES } from '../../infra/build/worker-types.ts'
import { repoRoot } from '../support/processes.ts'

const ENVIRONMENTS = ['staging', 'production'] as const

/** wrangler.toml as wrangler reads it for one environment (undefined: the top level). */
function configFor(env?: string) {
  return unstable_readConfig({ config: join(repoRoot, 'wrangler.toml'), env }, { hideWarnings: true })
}

describe("the Worker's Env type", () => {
  it('is what `wrangler types` makes of wrangler.toml now (else: npm run types:worker)', () => {
    const checkedIn = readFileSync(join(repoRoot, WORKER_TYPES), 'utf8')
    expect(checkedIn, `${WORKER_TYPES} is stale: run npm run types:worker`).toBe(generateWorkerTypes())
  }, 60_000)
})

describe('the environments of wrangler.toml', () => {
  const top = configFor()

  it.each(ENVIRONMENTS)('%s: a Worker of its own, with the vars, cron and Workers Logs of the top level', (env) => {
    const config = configFor(env)
    expect(config.name).toBe(`${top.name}-${env}`)
    // [vars] are not inherited: each environment repeats them
    expect({ ...config.vars }).toEqual({ ...top.vars })
    expect(config.triggers.crons).toEqual(top.triggers.crons)
    expect(config.observability?.enabled).toBe(true)
    expect(config.secrets?.required).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN']),
    )
  })

  it('keeps the top level local: Workers Logs on, and no required secrets (the tests and dev:worker pass their own)', () => {
    expect(top.observability?.enabled).toBe(true)
    expect(top.secrets).toBeUndefined()
  })

  it('names only variables the service reads', () => {
    for (const env of [undefined, ...ENVIRONMENTS]) {
      const config = configFor(env)
      const names = [...Object.keys(config.vars), ...(config.secrets?.required ?? [])]
      expect(
        names.filter((name) => !(name in SERVICE_VARIABLES)),
        `wrangler.toml, ${env ?? 'top level'}`,
      ).toEqual([])
    }
  })
})
