/**
 * Turns a `DatabaseConfig` into a `Kysely<DB>` of your schema: the one place that knows the drivers.
 *
 * ```ts
 * import pg from 'pg' // only where the pg driver may be chosen (Lambda, Node)
 * const database = createDatabase<DB>(databaseConfigFromEnv(env, { runtime: 'lambda' }), { pg })
 * const rows = await database.db.selectFrom('projects').selectAll().execute()
 * await database.dispose() // ends the pool: no socket stays open
 * ```
 */
import { Pool as NeonPool } from '@neondatabase/serverless'
import { CamelCasePlugin, Kysely, type LogEvent } from 'kysely'
import type { DatabaseConfig, DatabaseDriverName, PgliteConfig, PoolOptions } from './config.ts'
import { addressOf } from './connection-errors.ts'
import { NeonHttpTransport } from './neon-http-transport.ts'
import { configureNeonProxy } from './neon-proxy.ts'
import { type PgliteLike, PgliteTransport } from './pglite-transport.ts'
import { type ClientPool, PoolTransport } from './pool-transport.ts'
import type { RoundTripObserver, Session, Transport } from './transport.ts'
import { int8Parsers } from './type-parsers.ts'
import { UnitDialect } from './unit-dialect.ts'

/** A database handle and the means to close it. */
export interface Database<DB = unknown> {
  readonly db: Kysely<DB>
  readonly driver: DatabaseDriverName
  /** Whether interactive transactions are possible (every driver but `neon-http`). */
  readonly supportsSessions: boolean
  /** Closes every connection (or the PGlite instance). Safe to call twice. */
  dispose(): Promise<void>
}

/** node-postgres' module (`import pg from 'pg'`), or anything with its `Pool`. */
export interface PgModule {
  Pool: new (config: {
    connectionString: string
    max: number
    idleTimeoutMillis: number
    connectionTimeoutMillis: number
  }) => unknown
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
  /** Sees every round trip to the database with the statements it carried. */
  onRoundTrip?: RoundTripObserver
  /** node-postgres, for the `pg` driver. */
  pg?: PgModule
}

export function createDatabase<DB = unknown>(
  config: DatabaseConfig,
  options: CreateDatabaseOptions = {},
): Database<DB> {
  return databaseOver<DB>(transportFor(config, options), config.driver, options)
}

/**
 * A database over a transport of your own (a driver this package does not
 * ship, or a fake for benchmarks): the same Kysely, units and transactions.
 */
export function databaseOver<DB = unknown>(
  transport: Transport,
  driver: DatabaseDriverName,
  options: Pick<CreateDatabaseOptions, 'log'> = {},
): Database<DB> {
  const db = new Kysely<DB>({
    dialect: new UnitDialect(transport, driver),
    plugins: [new CamelCasePlugin()],
    ...(options.log && { log: options.log }),
  })
  let disposed: Promise<void> | undefined
  return {
    db,
    driver,
    supportsSessions: transport.openSession !== undefined,
    dispose: () => {
      disposed ??= db.destroy()
      return disposed
    },
  }
}

function transportFor(config: DatabaseConfig, options: CreateDatabaseOptions): Transport {
  switch (config.driver) {
    case 'pglite':
      return new PgliteTransport(() => openPglite(config), options.onRoundTrip)
    case 'pg': {
      if (!options.pg) {
        throw new Error("the pg driver needs node-postgres: createDatabase(config, { pg }) with `import pg from 'pg'`")
      }
      return poolTransport(options.pg.Pool, config, options)
    }
    case 'neon-pool':
      configureNeonProxy(config.proxy)
      return poolTransport(NeonPool, config, options)
    case 'neon-http':
    case 'neon': {
      configureNeonProxy(config.proxy)
      const { connectionString } = config
      const http = new NeonHttpTransport(connectionString, addressOf(connectionString), options.onRoundTrip)
      if (config.driver === 'neon-http') return http
      return withSessionsFrom(http, () => poolTransport(NeonPool, config, options))
    }
  }
}

/** A pool of node-postgres clients (pg's own, or Neon's WebSocket ones) as a transport. */
function poolTransport(
  Pool: PgModule['Pool'],
  config: PoolOptions & { connectionString: string },
  options: CreateDatabaseOptions,
): PoolTransport {
  const { connectionString } = config
  const pool = new Pool({
    connectionString,
    max: config.maxConnections ?? 5,
    idleTimeoutMillis: config.idleTimeoutMs ?? 10_000,
    connectionTimeoutMillis: config.connectionTimeoutMs ?? 10_000,
  }) as ClientPool
  return new PoolTransport(pool, {
    address: addressOf(connectionString),
    ...(options.onIdleConnectionError && { onIdleConnectionError: options.onIdleConnectionError }),
    ...(options.onRoundTrip && { onRoundTrip: options.onRoundTrip }),
  })
}

/** Batches over one transport; sessions from a second one, created on first need (on Workers: rarely). */
function withSessionsFrom(batches: Transport, makeSessions: () => Transport): Transport {
  let sessions: Transport | undefined
  return {
    batch: (statements) => batches.batch(statements),
    execute: (statement) => batches.execute(statement),
    openSession: (): Promise<Session> => {
      sessions ??= makeSessions()
      return (sessions.openSession as () => Promise<Session>)()
    },
    sessionPerConnection: false,
    dispose: async () => {
      await Promise.all([batches.dispose(), sessions?.dispose()])
    },
  }
}

async function openPglite(config: PgliteConfig): Promise<PgliteLike> {
  // Loaded on first use and through a variable, so that bundles for Workers and
  // Lambda (which always have DATABASE_URL) neither include nor load the WASM build.
  const specifier = '@electric-sql/pglite'
  const { PGlite } = (await import(/* @vite-ignore */ specifier)) as typeof import('@electric-sql/pglite')
  return PGlite.create({ ...(config.dataDir && { dataDir: config.dataDir }), parsers: int8Parsers })
}
