/**
 * `@serverless-dal/repository/neon`: the Neon serverless driver's three ways
 * to Postgres (an optional peer dependency). Hand them to whatever opens
 * databases; configs then may name `neon`, `neon-pool` or `neon-http`.
 *
 * ```ts
 * import { createDatabase, databaseConfigFromEnv } from '@serverless-dal/repository'
 * import { neonDrivers } from '@serverless-dal/repository/neon'
 * const database = createDatabase(databaseConfigFromEnv(env, { runtime: 'workers' }), { drivers: [neonDrivers] })
 * ```
 *
 * The driver itself (`drivers.ts`, and with it `@neondatabase/serverless`)
 * loads on a database's first statement, not when this module is imported:
 * an isolate that starts, or answers from its caches, never evaluates it.
 */
import type { DatabaseDrivers } from '../../db/drivers.ts'
import { lazyTransport } from '../../db/lazy-transport.ts'

const loaded = () => import('./drivers.ts').then((module) => module.loadedNeonDrivers)

export const neonDrivers = {
  neon: (config, options) =>
    lazyTransport(async () => (await loaded()).neon(config, options), {
      sessions: true,
      sessionPerConnection: false,
    }),
  'neon-pool': (config, options) =>
    lazyTransport(async () => (await loaded())['neon-pool'](config, options), {
      sessions: true,
      sessionPerConnection: true,
    }),
  'neon-http': (config, options) =>
    lazyTransport(async () => (await loaded())['neon-http'](config, options), {
      sessions: false,
      sessionPerConnection: false,
    }),
} satisfies DatabaseDrivers
