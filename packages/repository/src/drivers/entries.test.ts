/**
 * What each entry of the package pulls into a bundle, followed through every
 * import (the architecture test reads files one by one): the main entry no
 * driver at all, each subpath entry its own driver and no other.
 */
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const DRIVERS = ['@neondatabase/serverless', '@electric-sql/pglite', 'pg', '@aws-lambda-powertools/metrics']

/** The packages a bundle of `entry` would import (static or dynamic), as esbuild resolves the graph. */
async function packagesImportedBy(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
  })
  const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports)
  return [...new Set(imports.filter((i) => i.external).map((i) => i.path))].sort()
}

const driversOf = (packages: string[]) => packages.filter((name) => DRIVERS.includes(name))

describe('the entries', () => {
  it('main: Kysely alone, no driver', async () => {
    expect(await packagesImportedBy('../index.ts')).toEqual(['kysely', 'kysely/migration'])
  })

  it.each([
    ['./neon/index.ts', ['@neondatabase/serverless']],
    ['./pglite/index.ts', ['@electric-sql/pglite']],
    ['../metrics/powertools-sink.ts', ['@aws-lambda-powertools/metrics']],
  ])('%s: only its own driver', async (entry, drivers) => {
    expect(driversOf(await packagesImportedBy(entry))).toEqual(drivers)
  })
})
