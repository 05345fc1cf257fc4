/**
 * `@serverless-dal/repository/pglite`: the embedded default, Postgres in WASM
 * (`@electric-sql/pglite`, an optional peer dependency). Hand it to whatever
 * opens databases where a config may name `pglite` (local runs, tests); a
 * Worker or Lambda entry, which always has a database URL, leaves it out and
 * its bundle never holds PGlite.
 *
 * ```ts
 * import { createDatabase } from '@serverless-dal/repository'
 * import { pgliteDriver } from '@serverless-dal/repository/pglite'
 * const database = createDatabase({ driver: 'pglite' }, { drivers: [pgliteDriver] })
 * ```
 */
import type { PgliteConfig } from '../../db/config.ts'
import type { DatabaseDrivers } from '../../db/drivers.ts'
import { int8Parsers } from '../../db/type-parsers.ts'
import { type PgliteLike, PgliteTransport } from './transport.ts'

export const pgliteDriver = {
  pglite: (config, options) => new PgliteTransport(() => openPglite(config), options.onRoundTrip),
} satisfies DatabaseDrivers

async function openPglite(config: PgliteConfig): Promise<PgliteLike> {
  // Loaded on first use: importing this entry costs nothing until a database opens (3–4 s and ≈ 700 MB then).
  const { PGlite } = await import('@electric-sql/pglite')
  return PGlite.create({ ...(config.dataDir && { dataDir: config.dataDir }), parsers: int8Parsers })
}
