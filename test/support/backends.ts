/**
 * The database backends a contract suite runs against: the embedded PGlite and
 * real Postgres through the Neon driver and the local stand-in.
 */

import { documentsMigrations } from '@serverless-dal/documents'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import { createDatabase, type Database, migrateToLatest } from '@serverless-dal/repository'
import { allDrivers } from './drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from './postgres.ts'

export interface Backend {
  readonly name: string
  /** A migrated, empty database. */
  open(): Promise<Database>
  close(): Promise<void>
}

export function pgliteBackend(): Backend {
  let database: Database | undefined
  return {
    name: 'pglite',
    async open() {
      database = createDatabase({ driver: 'pglite' }, allDrivers)
      await migrateToLatest(database.db, documentsMigrations)
      return database
    },
    async close() {
      await database?.dispose()
    },
  }
}

export function neonBackend(): Backend {
  let scratch: ScratchDatabase | undefined
  let neon: NeonStandIn | undefined
  let database: Database | undefined
  return {
    name: 'postgres via neon',
    async open() {
      scratch = await createScratchDatabase('backend')
      neon = await startNeonStandIn({ upstreamUrl: scratch.url })
      database = createDatabase(
        {
          driver: 'neon-pool',
          connectionString: scratch.url,
          proxy: { webSocketUrl: neon.webSocketUrl, httpEndpoint: neon.httpEndpoint },
        },
        allDrivers,
      )
      await migrateToLatest(database.db, documentsMigrations)
      return database
    },
    async close() {
      await database?.dispose()
      await neon?.close()
      await scratch?.drop()
    },
  }
}

export const backends = [pgliteBackend, neonBackend]
