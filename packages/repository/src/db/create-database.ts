/**
 * Turns a `DatabaseConfig` into a `Kysely<DB>` of your schema, through the
 * driver the config names — one of those handed in (`drivers.ts`), so this
 * file imports none.
 *
 * ```ts
 * import { neonDrivers } from '@serverless-dal/repository/neon'
 * import pg from 'pg' // only where the pg driver may be chosen (Lambda, Node)
 * const database = createDatabase<DB>(databaseConfigFromEnv(env, { runtime: 'lambda' }), { drivers: [neonDrivers], pg })
 * const rows = await database.db.selectFrom('projects').selectAll().execute()
 * await database.dispose() // ends the pool: no socket stays open
 * ```
 */
import { CamelCasePlugin, Kysely, type LogEvent } from 'kysely'
import type { DatabaseConfig, DatabaseDriverName } from './config.ts'
import { type DriverOptions, driverFor, type TransportOptions } from './drivers.ts'
import type { Transport } from './transport.ts'
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

export interface CreateDatabaseOptions extends DriverOptions, TransportOptions {
  /** Sees every statement Kysely runs, with its duration (Kysely's `log`). */
  log?: (event: LogEvent) => void
}

export function createDatabase<DB = unknown>(
  config: DatabaseConfig,
  options: CreateDatabaseOptions = {},
): Database<DB> {
  const open = driverFor(config, options)
  return databaseOver<DB>(open(config, options), config.driver, options)
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
