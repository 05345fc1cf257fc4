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

export interface DatabaseLease {
  readonly database: Database
  /** Ends a per-request database; a no-op for a shared one. On Workers, pass it to `ctx.waitUntil`. */
  release(): Promise<void>
}

export interface DatabaseLifetime {
  lease(): DatabaseLease
  /** Closes whatever this lifetime still holds (process shutdown, tests). */
  dispose(): Promise<void>
}

/** A new database per lease, ended on release. */
export function perRequestLifetime(config: DatabaseConfig, options?: CreateDatabaseOptions): DatabaseLifetime {
  const open = new Set<Database>()
  return {
    lease() {
      const database = createDatabase(config, options)
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
export function perProcessLifetime(config: DatabaseConfig, options?: CreateDatabaseOptions): DatabaseLifetime {
  let shared: Database | undefined
  return {
    lease() {
      shared ??= createDatabase(config, options)
      return { database: shared, release: async () => {} }
    },
    async dispose() {
      const database = shared
      shared = undefined
      await database?.dispose()
    },
  }
}

export function lifetimeForRuntime(
  runtime: Runtime,
  config: DatabaseConfig,
  options?: CreateDatabaseOptions,
): DatabaseLifetime {
  return runtime === 'workers' ? perRequestLifetime(config, options) : perProcessLifetime(config, options)
}
