/**
 * How long a database handle lives, by runtime.
 *
 * On Workers a Neon pool cannot outlive the request that opened it (its
 * sockets belong to that request; reuse fails with "Cannot perform I/O on
 * behalf of a different request" and then hangs), so each request leases a
 * fresh one and releases it after the response. Lambda and Node keep one per
 * process and reuse it across invocations.
 */
import type { DatabaseConfig, Runtime } from './config.ts'
import { type CreateDatabaseOptions, createDatabase, type Database } from './create-database.ts'
import { driverFor } from './drivers.ts'

export interface DatabaseLease<DB = unknown> {
  readonly database: Database<DB>
  /** Ends a per-request database; a no-op for a shared one. On Workers, pass it to `ctx.waitUntil`. */
  release(): Promise<void>
}

export interface DatabaseLifetime<DB = unknown> {
  lease(): DatabaseLease<DB>
  /** Closes whatever this lifetime still holds (process shutdown, tests). */
  dispose(): Promise<void>
}

/** A new database per lease, ended on release. */
export function perRequestLifetime<DB = unknown>(
  config: DatabaseConfig,
  options: CreateDatabaseOptions = {},
): DatabaseLifetime<DB> {
  driverFor(config, options) // a driver not handed in fails now, not at the first request
  const open = new Set<Database<DB>>()
  return {
    lease() {
      const database = createDatabase<DB>(config, options)
      open.add(database)
      return {
        database,
        release: async () => {
          open.delete(database)
          await database.dispose()
        },
      }
    },
    async dispose() {
      const all = [...open]
      open.clear()
      await Promise.all(all.map((database) => database.dispose()))
    },
  }
}

/** One database for the whole process, created on first lease. */
export function perProcessLifetime<DB = unknown>(
  config: DatabaseConfig,
  options: CreateDatabaseOptions = {},
): DatabaseLifetime<DB> {
  driverFor(config, options) // a driver not handed in fails now, not at the first request
  let shared: Database<DB> | undefined
  return {
    lease() {
      shared ??= createDatabase<DB>(config, options)
      return { database: shared, release: async () => {} }
    },
    async dispose() {
      const database = shared
      shared = undefined
      await database?.dispose()
    },
  }
}

export function lifetimeForRuntime<DB = unknown>(
  runtime: Runtime,
  config: DatabaseConfig,
  options?: CreateDatabaseOptions,
): DatabaseLifetime<DB> {
  return runtime === 'workers' ? perRequestLifetime<DB>(config, options) : perProcessLifetime<DB>(config, options)
}
