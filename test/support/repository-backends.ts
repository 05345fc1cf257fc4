/**
 * Backends for the repository contract suite: PGlite, and Postgres through
 * every server driver — `neon` (HTTP batches, WebSocket sessions),
 * `neon-pool`, `neon-http` (through the local Neon stand-in) and `pg` (TCP).
 * Each gives factories over one migrated database and records every
 * statement it runs and every round trip it makes.
 */

import {
  createDocumentsFactory,
  type DocumentsFactory,
  type DocumentsFactoryConfig,
  documentsMigrations,
} from '@serverless-dal/documents'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import {
  type DatabaseConfig,
  type DatabaseLifetime,
  migrateConfigured,
  perProcessLifetime,
  type Statement,
  silentLogger,
} from '@serverless-dal/repository'
import { allDrivers } from './drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from './postgres.ts'

export interface RepositoryBackend {
  readonly name: string
  readonly driver: DatabaseConfig['driver']
  readonly isPostgres: boolean
  /** Whether the driver holds sessions, so interactive transactions work (all but neon-http). */
  readonly supportsSessions: boolean
  /** Every statement Kysely ran since `clearQueries()` (the tenant settings travel beside them, unlogged). */
  readonly queries: string[]
  /** Every round trip since `clearQueries()`, with the statements it carried. */
  readonly roundTrips: Statement[][]
  /** The statements that read or write data: no transaction control, no session setup. */
  dataQueries(): string[]
  clearQueries(): void
  setup(): Promise<void>
  /** A factory over the backend's database; settings may differ per factory. */
  factory(overrides?: Partial<DocumentsFactoryConfig>): DocumentsFactory
  /** The database's URL (Postgres only), for a second, independent connection. */
  readonly url: string | undefined
  /** How the backend reaches its database (for another handle with other settings). */
  readonly config: DatabaseConfig
  readonly lifetime: DatabaseLifetime
  teardown(): Promise<void>
}

const SESSION_STATEMENT = /^\s*(begin|commit|rollback|start transaction|savepoint|release|select set_config)\b/i

interface Opened {
  config: DatabaseConfig
  url?: string
  close?: () => Promise<void>
}

function backend(name: string, driver: DatabaseConfig['driver'], open: () => Promise<Opened>) {
  const queries: string[] = []
  const roundTrips: Statement[][] = []
  let lifetime: DatabaseLifetime | undefined
  let opened: Opened | undefined
  const self: RepositoryBackend = {
    name,
    driver,
    isPostgres: driver !== 'pglite',
    supportsSessions: driver !== 'neon-http',
    queries,
    roundTrips,
    dataQueries: () => queries.filter((q) => !SESSION_STATEMENT.test(q)),
    clearQueries: () => {
      queries.length = 0
      roundTrips.length = 0
    },
    async setup() {
      opened = await open()
      const options = {
        ...allDrivers,
        log: (event: { level: string; query: { sql: string } }) => {
          if (event.level === 'query') queries.push(event.query.sql)
        },
        onRoundTrip: (statements: readonly Statement[]) => roundTrips.push([...statements]),
      }
      lifetime = perProcessLifetime(opened.config, options)
      await migrateConfigured(opened.config, lifetime.lease().database, documentsMigrations, allDrivers)
      self.clearQueries() // what the tests count starts after the migrations
    },
    factory(overrides = {}) {
      if (!lifetime) throw new Error('call setup() first')
      return createDocumentsFactory({
        database: lifetime,
        ...allDrivers, // for overrides that name a database config of their own
        cursorSecret: 'contract-suite-cursor-secret',
        logger: silentLogger,
        ...overrides,
      })
    },
    get url() {
      return opened?.url
    },
    get config() {
      if (!opened) throw new Error('call setup() first')
      return opened.config
    },
    get lifetime() {
      if (!lifetime) throw new Error('call setup() first')
      return lifetime
    },
    async teardown() {
      await lifetime?.dispose()
      await opened?.close?.()
    },
  }
  return self
}

/** Postgres in a scratch database, through the Neon stand-in, with `driver`. */
function throughNeon(driver: 'neon' | 'neon-pool' | 'neon-http') {
  return async (): Promise<Opened> => {
    const scratch: ScratchDatabase = await createScratchDatabase('repos')
    const neon: NeonStandIn = await startNeonStandIn({ upstreamUrl: scratch.url })
    return {
      config: {
        driver,
        connectionString: scratch.url,
        proxy: { webSocketUrl: neon.webSocketUrl, httpEndpoint: neon.httpEndpoint },
      },
      url: scratch.url,
      close: async () => {
        await neon.close()
        await scratch.drop()
      },
    }
  }
}

export const pgliteBackend = () => backend('pglite', 'pglite', async () => ({ config: { driver: 'pglite' } }))
export const neonBackend = () =>
  backend('postgres via neon (HTTP batches, WebSocket sessions)', 'neon', throughNeon('neon'))
export const neonPoolBackend = () => backend('postgres via neon-pool', 'neon-pool', throughNeon('neon-pool'))
export const neonHttpBackend = () => backend('postgres via neon-http', 'neon-http', throughNeon('neon-http'))
export const pgBackend = () =>
  backend('postgres via pg', 'pg', async () => {
    const scratch = await createScratchDatabase('repos')
    return { config: { driver: 'pg', connectionString: scratch.url }, url: scratch.url, close: () => scratch.drop() }
  })

/** Every driver: the contract suite runs on each. */
export const repositoryBackends: Array<() => RepositoryBackend> = [
  pgliteBackend,
  neonBackend,
  neonPoolBackend,
  neonHttpBackend,
  pgBackend,
]

/** Unique organization ids per test, so tests never see each other's rows. */
let counter = 0
export function orgId(label: string): string {
  counter += 1
  return `${label}-${counter}-${Math.random().toString(36).slice(2, 8)}`
}
