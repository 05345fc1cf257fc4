/**
 * The drivers a database opens with, handed in by the caller instead of
 * imported here. The main entry thus imports no driver at all, and a bundle
 * holds only the drivers its entry names: a Worker imports Neon's
 * (`@serverless-dal/repository/neon`), never PGlite's WASM build or
 * node-postgres. A config naming a driver that was not handed in fails at
 * once, with the import that would fix it.
 *
 * ```ts
 * import { neonDrivers } from '@serverless-dal/repository/neon'
 * import { pgliteDriver } from '@serverless-dal/repository/pglite'
 * import pg from 'pg'
 * const database = createDatabase(config, { drivers: [neonDrivers, pgliteDriver], pg })
 * ```
 */
import { type DatabaseConfig, DatabaseConfigError, type DatabaseDriverName } from './config.ts'
import { lazyTransport } from './lazy-transport.ts'
import { openPoolTransport, type PoolConstructor } from './pool-transport.ts'
import type { RoundTripObserver, Transport } from './transport.ts'

/** What every driver may be told when its transport opens. */
export interface TransportOptions {
  /**
   * Called when an idle pooled connection fails (Postgres restarted, proxy gone).
   * The pool drops that connection and opens a new one on demand; without a
   * listener such an error would crash the process.
   */
  onIdleConnectionError?: (error: Error) => void
  /** Sees every round trip to the database with the statements it carried. */
  onRoundTrip?: RoundTripObserver
}

/** Opens the transport of the driver a config names. */
export type OpenTransport<Name extends DatabaseDriverName = DatabaseDriverName> = (
  config: Extract<DatabaseConfig, { driver: Name }>,
  options: TransportOptions,
) => Transport

/**
 * Drivers by the config names they serve: `neonDrivers` serves `neon`,
 * `neon-pool` and `neon-http`; `pgliteDriver` serves `pglite`. A driver of
 * your own is one more entry (or use `databaseOver` with a transport).
 */
export type DatabaseDrivers = { readonly [Name in DatabaseDriverName]?: OpenTransport<Name> }

/**
 * node-postgres' module (`import pg from 'pg'`), or anything with its `Pool`; or a function that
 * loads it (`() => import('pg').then((m) => m.default)`), called on a database's first statement,
 * so a deployment that never picks the `pg` driver never loads it.
 */
export interface PgModule {
  Pool: PoolConstructor
}

/** Which drivers a database, a lifetime or a `RepositoryFactory` may open. */
export interface DriverOptions {
  /**
   * The drivers the configs may name, from the package's subpath entries:
   * `[neonDrivers]` (`@serverless-dal/repository/neon`) on Workers,
   * `[neonDrivers, pgliteDriver]` (`…/pglite`) where the embedded default may run.
   */
  drivers?: readonly DatabaseDrivers[]
  /** node-postgres (`import pg from 'pg'`) or its loader, for the `pg` driver. */
  pg?: PgModule | (() => Promise<PgModule>)
}

const NEON = "import { neonDrivers } from '@serverless-dal/repository/neon' and pass `drivers: [neonDrivers]`"

/** Where each driver comes from, for the message that says what to add. */
const WHERE: Record<DatabaseDriverName, string> = {
  neon: NEON,
  'neon-pool': NEON,
  'neon-http': NEON,
  pglite: "import { pgliteDriver } from '@serverless-dal/repository/pglite' and pass `drivers: [pgliteDriver]`",
  pg: "import pg from 'pg' and pass `{ pg }`",
}

/**
 * The opener of the driver `config` names, or a `DatabaseConfigError` saying
 * which import to add. Lifetimes call it when they are made, so a factory
 * fails at construction, not at its first request.
 */
export function driverFor(config: DatabaseConfig, options: DriverOptions): OpenTransport {
  const sets = options.pg ? [...(options.drivers ?? []), nodePostgres(options.pg)] : (options.drivers ?? [])
  const open = sets.find((drivers) => drivers[config.driver])?.[config.driver]
  if (!open) {
    throw new DatabaseConfigError(
      `the ${config.driver} driver was not provided (the main entry imports no driver): ${WHERE[config.driver]} ` +
        'to createDatabase, the lifetime or the RepositoryFactory',
    )
  }
  return open as OpenTransport
}

/** node-postgres' module as a driver: its `Pool` under the package's pool transport. */
function nodePostgres(pg: PgModule | (() => Promise<PgModule>)): DatabaseDrivers {
  if (typeof pg !== 'function') return { pg: (config, options) => openPoolTransport(pg.Pool, config, options) }
  const open: OpenTransport<'pg'> = (config, options) =>
    lazyTransport(async () => openPoolTransport((await pg()).Pool, config, options), {
      sessions: true,
      sessionPerConnection: true,
    })
  return { pg: open }
}
