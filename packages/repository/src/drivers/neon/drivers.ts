/**
 * The Neon drivers themselves, loaded by `index.ts` on a database's first
 * statement: the only module of the package that imports
 * `@neondatabase/serverless`.
 */
import { Pool } from '@neondatabase/serverless'
import type { DatabaseDrivers } from '../../db/drivers.ts'
import { openPoolTransport } from '../../db/pool-transport.ts'
import type { Session, Transport } from '../../db/transport.ts'
import { NeonHttpTransport } from './http-transport.ts'
import { configureNeonProxy } from './proxy.ts'

export const loadedNeonDrivers = {
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
