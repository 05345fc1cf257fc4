/**
 * `@serverless-dal/repository/neon`: the Neon serverless driver's three ways
 * to Postgres, the only module of the package that loads
 * `@neondatabase/serverless` (an optional peer dependency). Hand them to
 * whatever opens databases; configs then may name `neon`, `neon-pool` or
 * `neon-http`.
 *
 * ```ts
 * import { createDatabase, databaseConfigFromEnv } from '@serverless-dal/repository'
 * import { neonDrivers } from '@serverless-dal/repository/neon'
 * const database = createDatabase(databaseConfigFromEnv(env, { runtime: 'workers' }), { drivers: [neonDrivers] })
 * ```
 */
import { Pool } from '@neondatabase/serverless'
import type { DatabaseDrivers } from '../../db/drivers.ts'
import { openPoolTransport } from '../../db/pool-transport.ts'
import type { Session, Transport } from '../../db/transport.ts'
import { NeonHttpTransport } from './http-transport.ts'
import { configureNeonProxy } from './proxy.ts'

export const neonDrivers = {
  /** Batches over HTTP; a WebSocket pool, opened on first need, for interactive transactions. */
  neon: (config, options) => {
    configureNeonProxy(config.proxy)
    const http = new NeonHttpTransport(config.connectionString, options.onRoundTrip)
    return withSessionsFrom(http, () => openPoolTransport(Pool, config, options))
  },
  /** Neon's WebSocket `Pool` for everything. */
  'neon-pool': (config, options) => {
    configureNeonProxy(config.proxy)
    return openPoolTransport(Pool, config, options)
  },
  /** HTTP only: interactive transactions are refused. */
  'neon-http': (config, options) => {
    configureNeonProxy(config.proxy)
    return new NeonHttpTransport(config.connectionString, options.onRoundTrip)
  },
} satisfies DatabaseDrivers

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
