/**
 * Backends for the repository contract suite: PGlite, and Postgres through
 * the Neon driver and the local stand-in. Each gives factories over one
 * migrated database and records every statement they run.
 */
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import {
  type DatabaseConfig,
  type DatabaseLifetime,
  migrateToLatest,
  perProcessLifetime,
  RepositoryFactory,
  type RepositoryFactoryConfig,
  silentLogger,
} from '@serverless-dal/repository'
import { createScratchDatabase, type ScratchDatabase } from './postgres.ts'

export interface RepositoryBackend {
  readonly name: string
  readonly isPostgres: boolean
  /** Every statement run since `clearQueries()`, transaction control included. */
  readonly queries: string[]
  /** The statements that read or write data: no BEGIN/COMMIT/savepoints, no session setup. */
  dataQueries(): string[]
  clearQueries(): void
  setup(): Promise<void>
  /** A factory over the backend's database; settings may differ per factory. */
  factory(overrides?: Partial<RepositoryFactoryConfig>): RepositoryFactory
  /** The database's URL (Postgres only), for a second, independent connection. */
  readonly url: string | undefined
  readonly lifetime: DatabaseLifetime
  teardown(): Promise<void>
}

const SESSION_STATEMENT = /^\s*(begin|commit|rollback|start transaction|savepoint|release|select set_config)\b/i

function backend(
  name: string,
  open: () => Promise<{ config: DatabaseConfig; url?: string; close?: () => Promise<void> }>,
) {
  const queries: string[] = []
  let lifetime: DatabaseLifetime | undefined
  let url: string | undefined
  let close: (() => Promise<void>) | undefined
  const self: RepositoryBackend = {
    name,
    isPostgres: name !== 'pglite',
    queries,
    dataQueries: () => queries.filter((q) => !SESSION_STATEMENT.test(q)),
    clearQueries: () => {
      queries.length = 0
    },
    async setup() {
      const opened = await open()
      url = opened.url
      close = opened.close
      lifetime = perProcessLifetime(opened.config, {
        log: (event) => {
          if (event.level === 'query') queries.push(event.query.sql)
        },
      })
      await migrateToLatest(lifetime.lease().database.db)
    },
    factory(overrides = {}) {
      if (!lifetime) throw new Error('call setup() first')
      return new RepositoryFactory({
        database: lifetime,
        cursorSecret: 'contract-suite-cursor-secret',
        logger: silentLogger,
        ...overrides,
      })
    },
    get url() {
      return url
    },
    get lifetime() {
      if (!lifetime) throw new Error('call setup() first')
      return lifetime
    },
    async teardown() {
      await lifetime?.dispose()
      await close?.()
    },
  }
  return self
}

export const repositoryBackends: Array<() => RepositoryBackend> = [
  () => backend('pglite', async () => ({ config: { driver: 'pglite' } })),
  () =>
    backend('postgres via neon', async () => {
      const scratch: ScratchDatabase = await createScratchDatabase('repos')
      const neon: NeonStandIn = await startNeonStandIn({ upstreamUrl: scratch.url })
      return {
        config: { driver: 'neon-pool', connectionString: scratch.url, proxy: { webSocketUrl: neon.webSocketUrl } },
        url: scratch.url,
        close: async () => {
          await neon.close()
          await scratch.drop()
        },
      }
    }),
]

/** Unique organization ids per test, so tests never see each other's rows. */
let counter = 0
export function orgId(label: string): string {
  counter += 1
  return `${label}-${counter}-${Math.random().toString(36).slice(2, 8)}`
}
