/** `npm run build`: wrangler bundles the Worker offline and esbuild the Lambda handlers. */
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildAll } from '../../infra/build/build.ts'

describe('npm run build', () => {
  it('writes the Worker bundle and the Lambda bundle, and reports their sizes', async () => {
    const sizes = await buildAll()
    expect(existsSync('dist/worker/worker.js')).toBe(true)
    expect(existsSync('dist/lambda/index.mjs')).toBe(true)
    expect(sizes.worker.gzipBytes).toBeGreaterThan(10_000)
    expect(sizes.worker.gzipBytes).toBeLessThan(3 * 1024 * 1024) // the Workers free plan's limit
    expect(sizes.lambda.bytes).toBeLessThan(50 * 1024 * 1024)
  }, 120_000)
})
