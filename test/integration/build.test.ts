/** `npm run build`: wrangler bundles the Worker offline and esbuild the Lambda handlers. */
import { existsSync, readFileSync } from 'node:fs'
import type { Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { type BundleReport, buildAll, ZOD_ENGLISH } from '../../infra/build/build.ts'

/**
 * What the bundles may weigh, gzipped (issue 18). Every KiB is parsed and compiled on each
 * cold start, so growth fails here: 150 KiB is the goal, not reached yet (245 KiB Worker,
 * 265 KiB Lambda when the ceiling was set, after zod's locales left); these ceilings are
 * those figures plus a margin of about 4%. Lower them as the bundles shrink, never raise
 * them without a reason in the commit.
 */
const GZIP_CEILING = { worker: 255 * 1024, lambda: 275 * 1024 }

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

  it('substitutes zod the same way in the Worker (wrangler.toml) and the Lambda bundle', () => {
    const wrangler = readFileSync('wrangler.toml', 'utf8')
    expect(wrangler).toMatch(
      new RegExp(`^\\[alias\\]\\n(?:#.*\\n)*"zod" = "${ZOD_ENGLISH.replaceAll('.', '\\.')}"$`, 'm'),
    )
  })
})
