/**
 * The commands README gives, run as a user runs them: `npm run services`
 * prints the environment, `npm run db:migrate` applies migrations through it,
 * and `npm start` serves /ping and /health on the embedded default.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@serverless-dal/repository'
import { Redis } from '@upstash/redis/cloudflare'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allDrivers } from '../support/drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'
import { envLines, runScript, type Started, startScript, startServices } from '../support/processes.ts'
import { keyPrefix, testRedisUrl } from '../support/redis.ts'

describe('npm run services and npm run db:migrate', () => {
  let scratch: ScratchDatabase
  let services: Started

  beforeAll(async () => {
    scratch = await createScratchDatabase('services')
    services = await startServices(scratch.url, testRedisUrl())
  })
  afterAll(async () => {
    await services?.stop()
    await scratch?.drop()
  })

  it('prints the variables that point the project at the stand-in, its URLs carrying a per-start secret', () => {
    const env = envLines(services.stdout())
    expect(env).toEqual({
      DATABASE_URL: scratch.url,
      NEON_WS_PROXY: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/[\w-]{43}\/v1$/),
      NEON_HTTP_ENDPOINT: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{43}\/sql$/),
      UPSTASH_REDIS_REST_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      UPSTASH_REDIS_REST_TOKEN: expect.stringMatching(/^[\w-]{20,}$/),
    })
    const secretOf = (url = '') => new URL(url).pathname.split('/')[1]
    expect(secretOf(env.NEON_WS_PROXY)).toBe(secretOf(env.NEON_HTTP_ENDPOINT))
  })

  it('points @upstash/redis at the bridge through the printed variables', async () => {
    const redis = Redis.fromEnv(
      envLines(services.stdout()) as { UPSTASH_REDIS_REST_URL: string; UPSTASH_REDIS_REST_TOKEN: string },
    )
    const key = `${keyPrefix('services')}greeting`
    await redis.set(key, { hello: 'world' }, { ex: 60 })
    expect(await redis.get(key)).toEqual({ hello: 'world' })
  })

  it('migrates DATABASE_URL through them, reports status, and reverts', async () => {
    const env = envLines(services.stdout())
    const up = await runScript('packages/documents/bin/migrate.ts', ['up'], env)
    expect(up).toMatchObject({
      code: 0,
      stdout:
        'applied 0001-initial-schema\napplied 0002-row-level-security\napplied 0003-idempotency-keys\n' +
        'applied 0004-idempotency-results\n',
    })

    const again = await runScript('packages/documents/bin/migrate.ts', [], env)
    expect(again.stdout).toBe('already up to date\n')

    const status = await runScript('packages/documents/bin/migrate.ts', ['status'], env)
    expect(status.stdout).toBe(
      'applied  0001-initial-schema\napplied  0002-row-level-security\napplied  0003-idempotency-keys\n' +
        'applied  0004-idempotency-results\n',
    )

    // the printed variables reach Postgres through the Neon HTTP path too
    const database = createDatabase(
      {
        driver: 'neon-http',
        connectionString: env.DATABASE_URL ?? '',
        proxy: { httpEndpoint: env.NEON_HTTP_ENDPOINT ?? '' },
      },
      allDrivers,
    )
    const { rows } = await sql<{ n: number }>`select count(*) as n from organizations`.execute(database.db)
    expect(rows).toEqual([{ n: 0 }])
    await database.dispose()

    const down = await runScript('packages/documents/bin/migrate.ts', ['down'], env)
    expect(down).toMatchObject({ code: 0, stdout: 'reverted 0004-idempotency-results\n' })
  })

  it('migrates a plain postgres:// URL through node-postgres, and names host, port and cause when it cannot', async () => {
    const plain = await createScratchDatabase('plain')
    try {
      const up = await runScript('packages/documents/bin/migrate.ts', ['up'], { DATABASE_URL: plain.url })
      expect(up).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied 0001-initial-schema\n/) })
    } finally {
      await plain.drop()
    }
    const refused = await runScript('packages/documents/bin/migrate.ts', ['up'], {
      DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nowhere',
    })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/cannot connect to Postgres at 127\.0\.0\.1:1: .*ECONNREFUSED/)
    expect(refused.stderr).not.toContain('secret')
  })

  it('refuses an unknown migrate command and a missing DATABASE_URL', async () => {
    expect((await runScript('packages/documents/bin/migrate.ts', ['sideways'], {})).code).toBe(2)
    const missing = await runScript('packages/documents/bin/migrate.ts', ['up'], {
      DATABASE_URL: '',
      PGLITE_DATA_DIR: '',
    })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/Set DATABASE_URL/)
  })
})

describe('npm start on the embedded default', () => {
  let tempDir: string
  let dataDir: string
  let server: Started

  beforeAll(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'dal-start-'))
    dataDir = join(tempDir, 'not', 'yet', 'there') // as `.data/pglite` on a fresh clone
    server = await startScript(
      'functions/documents-api/node.ts',
      { PORT: '0', DATABASE_URL: '', PGLITE_DATA_DIR: dataDir },
      /documents API on http:\/\/localhost:\d+/,
    )
  })
  afterAll(async () => {
    await server?.stop()
    await rm(tempDir, { recursive: true, force: true })
  })

  const baseUrl = () => server.stdout().match(/http:\/\/localhost:\d+/)?.[0] ?? ''

  it('answers /ping and a healthy /health after migrating PGlite', async () => {
    expect(server.stdout()).toContain(`embedded PGlite (${dataDir})`)
    const ping = await fetch(`${baseUrl()}/ping`)
    expect(await ping.text()).toBe('pong')
    const health = await fetch(`${baseUrl()}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', db: 'ok', cache: 'memory' })
  })
})
