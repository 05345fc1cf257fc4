/**
 * Turns a `DatabaseConfig` into a `Kysely<DB>`: the one place that knows the drivers.
 *
 * ```ts
 * const database = createDatabase(databaseConfigFromEnv(env))
 * const rows = await database.db.selectFrom('documents').selectAll().execute()
 * await database.dispose() // ends the pool: no socket stays open
 * ```
 */
import { Pool } from '@neondatabase/serverless'
import { CamelCasePlugin, Kysely, type LogEvent, PostgresDialect, type PostgresPool } from 'kysely'
import type { DB } from '../schema/database.ts'
import type { DatabaseConfig, DatabaseDriverName, NeonPoolConfig, PgliteConfig } from './config.ts'
import { NeonHttpDialect } from './neon-http-dialect.ts'
import { configureNeonProxy } from './neon-transport.ts'
import { PgliteDialect, type PgliteLike } from './pglite-dialect.ts'
import { int8Parsers, PG_TYPE, parseInt8, parseInt8Array } from './type-parsers.ts'

/** A database handle and the means to close it. */
export interface Database {
  readonly db: Kysely<DB>
  readonly driver: DatabaseDriverName
  /** Closes every connection (or the PGlite instance). Safe to call twice. */
  dispose(): Promise<void>
}

export interface CreateDatabaseOptions {
  /**
   * Called when an idle pooled connection fails (Postgres restarted, proxy gone).
   * The pool drops that connection and opens a new one on demand; without a
   * listener such an error would crash the process.
   */
  onIdleConnectionError?: (error: Error) => void
  /** Sees every statement Kysely runs, with its duration (Kysely's `log`). */
  log?: (event: LogEvent) => void
}

export function createDatabase(config: DatabaseConfig, options: CreateDatabaseOptions = {}): Database {
  const dialect = (() => {
    switch (config.driver) {
      case 'neon-pool':
        // Neon's Pool is node-postgres' Pool; only its overloaded `connect()` typing differs.
        return new PostgresDialect({ pool: neonPool(config, options) as unknown as PostgresPool })
      case 'neon-http':
        configureNeonProxy(config.proxy)
        return new NeonHttpDialect(config.connectionString)
      case 'pglite':
        return new PgliteDialect({ open: () => openPglite(config) })
    }
  })()
  const db = new Kysely<DB>({ dialect, plugins: [new CamelCasePlugin()], ...(options.log && { log: options.log }) })
  let disposed: Promise<void> | undefined
  return {
    db,
    driver: config.driver,
    dispose: () => {
      disposed ??= db.destroy()
      return disposed
    },
  }
}

interface PooledClient {
  setTypeParser(oid: number, parse: (text: string) => unknown): void
  on(event: 'error', listener: (error: Error) => void): void
}

function neonPool(config: NeonPoolConfig, options: CreateDatabaseOptions): Pool {
  configureNeonProxy(config.proxy)
  const pool = new Pool({
    connectionString: config.connectionString,
    max: config.maxConnections ?? 5,
    idleTimeoutMillis: config.idleTimeoutMs ?? 10_000,
    connectionTimeoutMillis: config.connectionTimeoutMs ?? 10_000,
  })
  pool.on('connect', (client: PooledClient) => {
    client.setTypeParser(PG_TYPE.int8, parseInt8)
    client.setTypeParser(PG_TYPE.int8Array, parseInt8Array)
    // A socket that dies while the client is checked out makes the client emit
    // 'error' as well as fail the running query; the pool only listens while the
    // client is idle, and an 'error' event nobody listens to crashes the process
    // (found by the reliability suite). The query's rejection is what callers see.
    client.on('error', () => {})
  })
  pool.on('error', (error: Error) => options.onIdleConnectionError?.(error))
  return pool
}

async function openPglite(config: PgliteConfig): Promise<PgliteLike> {
  // Loaded on first use and through a variable, so that bundles for Workers and
  // Lambda (which always have DATABASE_URL) neither include nor load the WASM build.
  const specifier = '@electric-sql/pglite'
  const { PGlite } = (await import(/* @vite-ignore */ specifier)) as typeof import('@electric-sql/pglite')
  return PGlite.create({ ...(config.dataDir && { dataDir: config.dataDir }), parsers: int8Parsers })
}
