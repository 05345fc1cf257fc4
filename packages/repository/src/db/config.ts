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

interface NeonConfigBase {
  /** `postgres://user:password@host:port/database`; on Neon, the pooled or direct URL. */
  connectionString: string
  /** Absent in production: the driver then talks to Neon directly. */
  proxy?: NeonProxyConfig
}

/** Neon's WebSocket `Pool`: interactive transactions and savepoints. The production path. */
export interface NeonPoolConfig extends NeonConfigBase {
  driver: 'neon-pool'
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

/** Neon's HTTP `neon()` function: one statement per request, no interactive transactions. */
export interface NeonHttpConfig extends NeonConfigBase {
  driver: 'neon-http'
}

/** PGlite, Postgres compiled to WASM: the embedded default that needs no service. */
export interface PgliteConfig {
  driver: 'pglite'
  /** A directory to keep the data in; in memory when absent. */
  dataDir?: string
}

export type DatabaseConfig = NeonPoolConfig | NeonHttpConfig | PgliteConfig
export type DatabaseDriverName = DatabaseConfig['driver']

/** The variables `databaseConfigFromEnv` reads. */
export interface DatabaseEnv {
  /** Postgres URL; without it the embedded PGlite is used. */
  DATABASE_URL?: string
  /** `neon-pool` (default with a URL) or `neon-http`. */
  DATABASE_DRIVER?: string
  /** Maximum connections of the Neon pool. */
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
 * Reads the database configuration from environment variables.
 *
 * ```ts
 * const config = databaseConfigFromEnv(process.env)
 * // { driver: 'neon-pool', connectionString: 'postgres://…', proxy: { webSocketUrl: 'ws://…' } }
 * ```
 */
export function databaseConfigFromEnv(env: DatabaseEnv): DatabaseConfig {
  const connectionString = env.DATABASE_URL?.trim()
  if (!connectionString) {
    return env.PGLITE_DATA_DIR ? { driver: 'pglite', dataDir: env.PGLITE_DATA_DIR } : { driver: 'pglite' }
  }
  assertPostgresUrl(connectionString)
  const proxy = proxyFromEnv(env)
  const driver = env.DATABASE_DRIVER?.trim() || 'neon-pool'
  if (driver === 'neon-http') return { driver, connectionString, ...(proxy && { proxy }) }
  if (driver !== 'neon-pool') {
    throw new DatabaseConfigError(`DATABASE_DRIVER must be neon-pool or neon-http, not ${JSON.stringify(driver)}`)
  }
  const maxConnections = env.DATABASE_POOL_MAX ? positiveInteger('DATABASE_POOL_MAX', env.DATABASE_POOL_MAX) : undefined
  return { driver, connectionString, ...(proxy && { proxy }), ...(maxConnections && { maxConnections }) }
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
