/**
 * The package as another project installs it (`npm pack`, then `npm install`
 * of the tarball into an empty folder outside the workspace): what the
 * tarball holds, its declarations under tsc, plain Node (no tsx) writing and
 * reading through a factory over Postgres, and a Worker bundled from the
 * installed copy that reads over Neon's HTTP endpoint inside workerd.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import { build } from 'esbuild'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InstalledPackage, installPackedPackage, OLDEST_NODE, oldestNode } from '../support/packed-package.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'
import { repoRoot } from '../support/processes.ts'

let installed: InstalledPackage
let scratch: ScratchDatabase
/** The note the Node check wrote, which the Worker reads back. */
let written: { id: number; organizationId: string; text: string } | undefined

beforeAll(async () => {
  scratch = await createScratchDatabase('package')
  installed = await installPackedPackage()
}, 120_000)

afterAll(async () => {
  installed?.remove()
  await scratch?.drop()
})

describe('the packed package', () => {
  it('holds the built JavaScript and declarations of every entry, and no sources or tests', () => {
    const entries = [
      'src/index',
      'src/drivers/neon/index',
      'src/drivers/pglite/index',
      'src/metrics/powertools-sink',
      'src/logging/powertools-logger',
    ]
    for (const entry of [...entries, 'node/index']) {
      expect(installed.files).toContain(`dist/${entry}.js`)
      expect(installed.files).toContain(`dist/${entry}.d.ts`)
    }
    expect(installed.files.filter((file) => !file.startsWith('dist/') && file !== 'package.json')).toEqual([])
    expect(installed.files.filter((file) => /\.test\.|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([])
  })

  it('installs without its optional peers: no PGlite, no Powertools', () => {
    const modules = join(installed.dir, 'node_modules')
    const has = (name: string) => {
      try {
        readFileSync(join(modules, name, 'package.json'))
        return true
      } catch {
        return false
      }
    }
    expect({
      pglite: has('@electric-sql/pglite'),
      powertools: has('@aws-lambda-powertools/metrics') || has('@aws-lambda-powertools/logger'),
    }).toEqual({ pglite: false, powertools: false })
  })

  it("type-checks a consumer against the package's own declarations", async () => {
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc')
    const result = await installed.exec(process.execPath, [tsc, '-p', 'tsconfig.consumer.json']).catch((error) => error)
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).toBe('')
  })

  it('runs in plain Node: migrates, writes once, reads twice (the second from memory)', async () => {
    const { stdout } = await installed.exec(process.execPath, ['node-check.mjs'], { DATABASE_URL: scratch.url })
    const report = JSON.parse(stdout)
    expect(report.created).toEqual({ id: expect.any(Number), organizationId: 'acme', text: 'written from the tarball' })
    expect([report.first, report.second]).toEqual([report.created, report.created])
    expect(report.outcomes).toEqual(['miss', 'memory-hit'])
    expect(report.refused).toEqual({
      isConfigError: true,
      message: expect.stringContaining("import { pgliteDriver } from '@serverless-dal/repository/pglite'"),
    })
    expect(report.drivers).toEqual(['neon', 'neon-pool', 'neon-http', 'pglite'])
    written = report.created
  })

  it(`runs the same on Node ${OLDEST_NODE}, the oldest its engines admit`, async () => {
    const node = await oldestNode(installed.dir)
    const { stdout: version } = await installed.exec(node, ['--version'])
    expect(version).toMatch(new RegExp(`^v${OLDEST_NODE}\\.`))
    const { stdout } = await installed.exec(node, ['node-check.mjs'], { DATABASE_URL: scratch.url })
    const report = JSON.parse(stdout)
    expect(report.outcomes).toEqual(['miss', 'memory-hit'])
    expect([report.first, report.second]).toEqual([report.created, report.created])
  }, 120_000)

  describe('in workerd', () => {
    let neon: NeonStandIn | undefined
    let mf: Miniflare | undefined
    afterAll(async () => {
      await mf?.dispose()
      await neon?.close()
    })

    it('bundles with Neon alone and answers a fetch through a factory over neon-http', async () => {
      expect(written, 'the Node check writes the note this reads').toBeDefined()
      const bundled = await build({
        entryPoints: [join(installed.dir, 'worker.mjs')],
        absWorkingDir: installed.dir,
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        conditions: ['workerd', 'worker', 'browser'],
        mainFields: ['browser', 'module', 'main'],
        external: ['node:*', 'cloudflare:*'],
        write: false,
        metafile: true,
        logLevel: 'silent',
      })
      const inputs = Object.keys(bundled.metafile.inputs)
      expect(inputs.filter((path) => !path.startsWith('node_modules/') && path !== 'worker.mjs')).toEqual([])
      expect(inputs.filter((path) => /@electric-sql|node_modules\/pg\/|powertools/.test(path))).toEqual([])

      neon = await startNeonStandIn({ upstreamUrl: scratch.url })
      mf = new Miniflare(
        convertV4MiniflareOptions({
          modules: true,
          script: bundled.outputFiles[0]?.text ?? '',
          compatibilityDate: compatibilityDate(),
          compatibilityFlags: ['nodejs_compat'],
          bindings: {
            DATABASE_URL: scratch.url,
            DATABASE_DRIVER: 'neon-http',
            NEON_HTTP_ENDPOINT: neon.httpEndpoint,
            CURSOR_SECRET: 'package-install-cursor-secret',
          },
        }),
      )
      const response = await mf.dispatchFetch(`http://worker.test/?id=${written?.id}`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ driver: 'neon-http', note: written, refused: 'DatabaseConfigError' })
    })
  })
})

/** The compatibility date wrangler.toml gives the Worker (the newest the bundled workerd accepts). */
function compatibilityDate(): string {
  const toml = readFileSync(join(repoRoot, 'wrangler.toml'), 'utf8')
  return /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(toml)?.[1] ?? '2026-08-01'
}
