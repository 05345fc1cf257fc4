/**
 * How to reach the database, as plain data, and how to read it from the
 * environment. Every runtime passes its own environment object (Workers `env`,
 * `process.env`), so nothing here touches a runtime global.
 */

/** Where the Neon driver should send its traffic instead of Neon's hosts (local development). */
export interface NeonProxyConfig {
  /**
   * WebSocket→TCP proxy as `ws://host:port/path` (or `wss://`); the driver
   * appends `?address=<db host>:<db port>`. Printed by `npm run services` as `NEON_WS_PROXY`.
   */
  webSocketUrl?: string
  /** Endpoint of the `neon()` HTTP protocol, e.g. `http://127.0.0.1:4444/sql` (`NEON_HTTP_ENDPOINT`). */
  httpEndpoint?: string
}

/** Where a function runs: it decides how long connections live and which driver a URL gets by default. */
export type Runtime = 'workers' | 'lambda' | 'node'

interface ServerConfigBase {
  /** `postgres://user:password@host:port/database`; on Neon, the pooled or direct URL. */
  connectionString: string
}

interface NeonConfigBase extends ServerConfigBase {
  /** Absent in production: the driver then talks to Neon directly. */
  proxy?: NeonProxyConfig
}

/** A pool of connections, for the drivers that hold them. */
export interface PoolOptions {
  /**
   * Connections the pool may open. Workers allow 6 simultaneous connections per request.
   * @default 5
   */
  maxConnections?: number
  /** @default 10_000 */
  idleTimeoutMs?: number
  /** How long to wait for a connection before failing. @default 10_000 */
  connectionTimeoutMs?: number
}

/**
 * Neon, the way that costs fewest round trips at the edge: batches (every read,
 * every write of one statement) as one HTTPS request each, with no connection
 * to open; a WebSocket pool, opened on first need, only for interactive
 * transactions. The default on Workers.
 */
export interface NeonConfig extends NeonConfigBase, PoolOptions {
  driver: 'neon'
}

/** Neon's WebSocket `Pool` for everything: the default for a Neon URL on Lambda and Node (connections are reused there). */
export interface NeonPoolConfig extends NeonConfigBase, PoolOptions {
  driver: 'neon-pool'
}

/** Neon's HTTP endpoint only: every route of a batch-shaped app works; interactive transactions are refused. */
export interface NeonHttpConfig extends NeonConfigBase {
  driver: 'neon-http'
}

/**
 * node-postgres over TCP, for any Postgres (RDS, Aurora, Supabase, a local
 * server) from Lambda or Node: the default for a URL that is not Neon's. The
 * entry passes the `pg` module in (`createDatabase(config, { pg })`), so
 * bundles that never use it never contain it.
 */
export interface PgConfig extends ServerConfigBase, PoolOptions {
  driver: 'pg'
}

/** PGlite, Postgres compiled to WASM: the embedded default that needs no service. */
export interface PgliteConfig {
  driver: 'pglite'
  /** A directory to keep the data in; in memory when absent. */
  dataDir?: string
}

export type DatabaseConfig = NeonConfig | NeonPoolConfig | NeonHttpConfig | PgConfig | PgliteConfig
export type DatabaseDriverName = DatabaseConfig['driver']

export const SERVER_DRIVERS = ['neon', 'neon-pool', 'neon-http', 'pg'] as const

/** The variables `databaseConfigFromEnv` reads. */
export interface DatabaseEnv {
  /** Postgres URL; without it the embedded PGlite is used. */
  DATABASE_URL?: string
  /** `neon`, `neon-pool`, `neon-http` or `pg`; by default chosen from the runtime and the URL. */
  DATABASE_DRIVER?: string
  /** Maximum connections of a pool. */
  DATABASE_POOL_MAX?: string
  /** Local WebSocket proxy for the Neon driver (`ws://127.0.0.1:4444/v1`). */
  NEON_WS_PROXY?: string
  /** Local `neon()` HTTP endpoint (`http://127.0.0.1:4444/sql`). */
  NEON_HTTP_ENDPOINT?: string
  /** Where the embedded PGlite keeps its data; memory when absent. */
  PGLITE_DATA_DIR?: string
}

export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError'
}

/**
 * Reads the database configuration from environment variables. Without
 * `DATABASE_DRIVER` the driver follows the runtime and the URL: `neon` on
 * Workers; on Lambda and Node `neon-pool` for Neon (or with the local Neon
 * stand-in's variables set) and `pg` for any other Postgres.
 *
 * ```ts
 * databaseConfigFromEnv(process.env, { runtime: 'lambda' })
 * // { driver: 'pg', connectionString: 'postgres://…@my-db.rds.amazonaws.com/app' }
 * ```
 */
export function databaseConfigFromEnv(env: DatabaseEnv, options: { runtime?: Runtime } = {}): DatabaseConfig {
  const connectionString = env.DATABASE_URL?.trim()
  if (!connectionString) {
    return env.PGLITE_DATA_DIR ? { driver: 'pglite', dataDir: env.PGLITE_DATA_DIR } : { driver: 'pglite' }
  }
  assertPostgresUrl(connectionString)
  const proxy = proxyFromEnv(env)
  const driver = env.DATABASE_DRIVER?.trim() || defaultDriver(options.runtime ?? 'node', connectionString, proxy)
  if (!(SERVER_DRIVERS as readonly string[]).includes(driver)) {
    throw new DatabaseConfigError(
      `DATABASE_DRIVER must be one of ${SERVER_DRIVERS.join(', ')}, not ${JSON.stringify(driver)}`,
    )
  }
  if (driver === 'neon-http') return { driver, connectionString, ...(proxy && { proxy }) }
  const maxConnections = env.DATABASE_POOL_MAX ? positiveInteger('DATABASE_POOL_MAX', env.DATABASE_POOL_MAX) : undefined
  const pool = { ...(maxConnections && { maxConnections }) }
  if (driver === 'pg') return { driver, connectionString, ...pool }
  return { driver: driver as 'neon' | 'neon-pool', connectionString, ...(proxy && { proxy }), ...pool }
}

function defaultDriver(runtime: Runtime, connectionString: string, proxy: NeonProxyConfig | undefined): string {
  if (runtime === 'workers') return 'neon'
  return proxy || isNeonHost(connectionString) ? 'neon-pool' : 'pg'
}

function isNeonHost(connectionString: string): boolean {
  return new URL(connectionString).hostname.endsWith('.neon.tech')
}

/**
 * The same database through a driver whose connections are sessions, for
 * work that needs one throughout (migrations take a session-level lock):
 * `neon` and `neon-http` become `neon-pool`; the others already are.
 */
export function withSessions(config: DatabaseConfig): DatabaseConfig {
  return config.driver === 'neon-http' || config.driver === 'neon' ? { ...config, driver: 'neon-pool' } : config
}

function proxyFromEnv(env: DatabaseEnv): NeonProxyConfig | undefined {
  const webSocketUrl = env.NEON_WS_PROXY?.trim()
  const httpEndpoint = env.NEON_HTTP_ENDPOINT?.trim()
  if (!webSocketUrl && !httpEndpoint) return undefined
  if (webSocketUrl) assertUrl('NEON_WS_PROXY', webSocketUrl, ['ws:', 'wss:'])
  if (httpEndpoint) assertUrl('NEON_HTTP_ENDPOINT', httpEndpoint, ['http:', 'https:'])
  return { ...(webSocketUrl && { webSocketUrl }), ...(httpEndpoint && { httpEndpoint }) }
}

function assertPostgresUrl(value: string): void {
  assertUrl('DATABASE_URL', value, ['postgres:', 'postgresql:'])
}

function assertUrl(name: string, value: string, protocols: string[]): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new DatabaseConfigError(`${name} is not a valid URL`)
  }
  if (!protocols.includes(url.protocol)) {
    throw new DatabaseConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
  }
}

function positiveInteger(name: string, value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new DatabaseConfigError(`${name} must be a positive integer, not ${JSON.stringify(value)}`)
  }
  return parsed
}
