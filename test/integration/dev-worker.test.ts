/**
 * `npm run dev:worker` as a user runs it: the stand-ins, then `wrangler dev`
 * (offline) with the Worker's variables; the Worker answers through the Neon
 * driver and Upstash, and wrangler's /__scheduled runs the scheduled handler.
 */
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'
import { type Started, startScript } from '../support/processes.ts'
import { testRedisUrl } from '../support/redis.ts'

/** A port free right now (wrangler needs a number; it does not take 0). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

describe('npm run dev:worker', () => {
  let scratch: ScratchDatabase
  let dev: Started
  let base: string
  beforeAll(async () => {
    scratch = await createScratchDatabase('dev_worker')
    const [port, inspector] = [await freePort(), await freePort()]
    base = `http://localhost:${port}`
    dev = await startScript(
      'infra/dev-worker/dev-worker.ts',
      {
        SERVICES_DATABASE_URL: scratch.url,
        SERVICES_REDIS_URL: testRedisUrl(),
        NEON_STANDIN_PORT: '0',
        UPSTASH_BRIDGE_PORT: '0',
        DEV_WORKER_PORT: String(port),
        DEV_WORKER_INSPECTOR_PORT: String(inspector),
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      /try: curl/,
    )
    // wrangler prints its banner before workerd listens: wait for the Worker itself
    const deadline = Date.now() + 60_000
    while (
      (await fetch(`${base}/ping`).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer:\n${dev.stdout()}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }, 90_000)
  afterAll(async () => {
    await dev?.stop()
    await scratch?.drop()
  })

  it('serves the API under wrangler dev, with Postgres and Redis reachable, and runs the scheduled handler', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', db: 'ok', cache: 'ok' })
    const token = /Bearer ([\w.-]+)/.exec(dev.stdout())?.[1]
    const created = await fetch(`${base}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'under wrangler dev' }),
    })
    expect(created.status).toBe(201)
    const scheduled = await fetch(`${base}/__scheduled?cron=${encodeURIComponent('*/15 * * * *')}`)
    expect(await scheduled.text()).toBe('Ran scheduled event')
  })

  it('serves the /docs page from the Worker and its Swagger UI files as static assets, with the same security headers', async () => {
    const page = await fetch(`${base}/docs`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('docs/swagger-ui-bundle.js')
    for (const [file, type] of [
      ['swagger-ui-bundle.js', 'javascript'],
      ['swagger-ui.css', 'text/css'],
    ] as const) {
      const asset = await fetch(`${base}/docs/${file}`)
      expect(asset.status).toBe(200)
      expect(asset.headers.get('content-type')).toContain(type)
      // from the asset layer (the Worker answers with an X-Request-Id), with the app's headers from _headers
      expect(asset.headers.get('x-request-id')).toBeNull()
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff')
      expect(asset.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'")
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000)
    }
  })
})
