/**
 * `npm run build`: wrangler bundles the Worker offline and esbuild the Lambda handlers. The
 * bundles stay under their size ceilings, carry zod's English messages only, and the built
 * Worker, run in workerd, answers `/openapi.json` and validation errors as its sources do.
 */
import { existsSync, readFileSync } from 'node:fs'
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import type { Metafile } from 'esbuild'
import type { ExecutionContext } from 'hono'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BundleReport, buildAll } from '../../infra/build/build.ts'

/**
 * What the bundles may weigh, gzipped (issue 18). Every KiB is parsed and compiled on each
 * cold start, so growth fails here. 150 KiB is the goal and is not reached: these ceilings
 * are the figures when they were set (Worker 160 KiB, Lambda 200 KiB, once zod/mini, a
 * committed OpenAPI document, our own LRU, rate-limit script and EMF writer replaced the
 * classic zod, zod-to-openapi, lru-cache, @upstash/ratelimit and, on the Worker, Powertools)
 * plus about 4%. Lower them as the bundles shrink; raise them only with a reason in the commit.
 */
const GZIP_CEILING = { worker: 166 * 1024, lambda: 208 * 1024 }

let sizes: { worker: BundleReport; lambda: BundleReport } | undefined
const built = async () => {
  sizes ??= await buildAll()
  return sizes
}

describe('npm run build', () => {
  it('writes the Worker bundle and the Lambda bundle, and reports their sizes', async () => {
    const { worker, lambda } = await built()
    expect(existsSync('dist/worker/worker.js')).toBe(true)
    expect(existsSync('dist/lambda/index.mjs')).toBe(true)
    expect(worker.gzipBytes).toBeGreaterThan(10_000)
    expect(lambda.bytes).toBeLessThan(50 * 1024 * 1024)
  }, 120_000)

  it('keeps each bundle under its gzip ceiling', async () => {
    const { worker, lambda } = await built()
    expect(worker.gzipBytes, 'the Worker bundle, gzipped').toBeLessThanOrEqual(GZIP_CEILING.worker)
    expect(lambda.gzipBytes, 'the Lambda bundle, gzipped').toBeLessThanOrEqual(GZIP_CEILING.lambda)
  }, 120_000)

  it("bundles zod's English messages and no other language's", async () => {
    await built()
    for (const [bundle, meta] of [
      ['dist/worker/worker.js', 'dist/worker/bundle-meta.json'],
      ['dist/lambda/index.mjs', 'dist/lambda/bundle-meta.json'],
    ] as const) {
      const code = readFileSync(bundle, 'utf8')
      expect(code, bundle).toContain('Too small: expected') // en
      expect(code, bundle).not.toContain('Eingabe') // de
      expect(code, bundle).not.toContain('Entrada inv') // es
      const { outputs } = JSON.parse(readFileSync(meta, 'utf8')) as Metafile
      const locales = Object.values(outputs).flatMap((output) =>
        Object.entries(output.inputs)
          .filter(([input, { bytesInOutput }]) => input.includes('zod/v4/locales/') && bytesInOutput > 0)
          .map(([input]) => input.split('/').pop()),
      )
      expect(locales, meta).toEqual(['en.js'])
    }
  }, 120_000)

  it('reports what each package adds to each bundle', async () => {
    const { worker, lambda } = await built()
    for (const report of [worker, lambda]) {
      const names = report.packages.map(({ name }) => name)
      expect(names).toEqual(expect.arrayContaining(['zod', 'kysely', '@neondatabase/serverless', 'hono']))
      expect(report.packages.reduce((sum, { bytes }) => sum + bytes, 0)).toBeLessThanOrEqual(report.bytes)
    }
  }, 120_000)
})

describe('the built Worker bundle in workerd', () => {
  const secret = 'build-test-jwt-secret-0123456789'
  const bindings = {
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    JWT_SECRET: secret,
    // never reached: what is asked below is answered before a database is
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  }
  let mf: Miniflare | undefined
  let base: URL

  beforeAll(async () => {
    await built()
    mf = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        scriptPath: 'dist/worker/worker.js',
        compatibilityDate: '2026-08-01',
        compatibilityFlags: ['nodejs_compat'],
        bindings,
      }),
    )
    base = await mf.ready
  }, 120_000)
  afterAll(() => mf?.dispose())

  it('answers /openapi.json exactly as the Worker built from its sources does', async () => {
    const bundled = await (await fetch(new URL('/openapi.json', base))).json()
    const source = (await import('../../functions/documents-api/worker.ts')).default
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext
    const unbundled = await (
      await source.fetch(new Request('http://localhost/openapi.json'), bindings as never, ctx)
    ).json()
    expect(Object.keys((bundled as { paths: object }).paths).length).toBeGreaterThanOrEqual(8)
    expect(bundled).toEqual(unbundled)
  })

  it("refuses a bad body and a bad query with zod's English messages", async () => {
    const token = await signToken(secret, { org: 'build-org', role: 'editor' })
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const body = await fetch(new URL('/documents', base), {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: '', status: 'gone', extra: 1 }),
    })
    expect(body.status).toBe(400)
    expect(((await body.json()) as { detail: string }).detail).toBe(
      'title: Too small: expected string to have >=1 characters; status: Invalid option: expected one of "draft"|"published"|"archived"; unknown field: extra',
    )
    const query = await fetch(new URL('/documents?limit=0', base), { headers })
    expect(query.status).toBe(400)
    expect(((await query.json()) as { detail: string }).detail).toBe('limit: Too small: expected number to be >=1')
  })
})
