/**
 * `npm run services`: starts the local stand-ins for the hosted services in the
 * foreground — Neon (WebSocket proxy + HTTP SQL) in front of Postgres, and the
 * Upstash REST bridge in front of Redis — and prints, as KEY=value lines on
 * stdout, the environment that points the project at them. Everything else goes
 * to stderr, so `npm run services > .env.local` captures just the variables.
 *
 *   SERVICES_DATABASE_URL  the Postgres to relay to (created if missing)
 *                          default postgres://postgres@127.0.0.1:5432/serverless_dal
 *   SERVICES_REDIS_URL     the Redis to serve; default redis://127.0.0.1:6379
 *   NEON_STANDIN_PORT      default 4444 (0 picks a free port)
 *   NEON_STANDIN_SECRET    the secret in the Neon URLs (16+ of A-Z a-z 0-9 _ -); a random one
 *                          per start by default, so URLs from an earlier start stop working
 *   NEON_STANDIN_MAX_TUNNELS  WebSocket tunnels open at once; default 64
 *   UPSTASH_BRIDGE_PORT    default 8079 (0 picks a free port)
 *   UPSTASH_BRIDGE_TOKEN   the bearer token; a random one per start by default
 *   SERVICES_DELAY_MS      adds this many ms each way between the stand-ins and Postgres
 *                          and Redis (a TCP delay proxy), so round trips show as time;
 *                          DATABASE_URL then names the delayed port
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { loadCommandConfig } from '../../../functions/documents-api/config/load-config.ts'
import { type DelayProxy, startDelayProxy, startNeonStandIn, startUpstashBridge } from '../src/index.ts'

/** The variables this command reads, checked by the project's one table of them. */
function readSettings() {
  return loadCommandConfig(process.env, [
    'SERVICES_DATABASE_URL',
    'SERVICES_REDIS_URL',
    'SERVICES_DELAY_MS',
    'NEON_STANDIN_PORT',
    'NEON_STANDIN_SECRET',
    'NEON_STANDIN_MAX_TUNNELS',
    'UPSTASH_BRIDGE_PORT',
    'UPSTASH_BRIDGE_TOKEN',
  ])
}

let settings: ReturnType<typeof readSettings>
try {
  settings = readSettings()
} catch (error) {
  console.error(`npm run services: ${(error as Error).message}`)
  process.exit(2)
}
const realDatabaseUrl = settings.SERVICES_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/serverless_dal'
const realRedisUrl = settings.SERVICES_REDIS_URL ?? 'redis://127.0.0.1:6379'
const delayMs = settings.SERVICES_DELAY_MS ?? 0

await ensureDatabase(realDatabaseUrl)
const delays: DelayProxy[] = []
const databaseUrl = await delayed(realDatabaseUrl, 5432)
const redisUrl = await delayed(realRedisUrl, 6379)
const neon = await startNeonStandIn({
  upstreamUrl: databaseUrl,
  port: settings.NEON_STANDIN_PORT ?? 4444,
  ...(settings.NEON_STANDIN_SECRET && { secret: settings.NEON_STANDIN_SECRET }),
  ...(settings.NEON_STANDIN_MAX_TUNNELS && { maxTunnels: settings.NEON_STANDIN_MAX_TUNNELS }),
}).catch((error: Error) => {
  console.error(`cannot start the Neon stand-in: ${error.message}`)
  process.exit(2)
})
const upstash = await startUpstashBridge({
  redisUrl,
  token: settings.UPSTASH_BRIDGE_TOKEN ?? randomBytes(18).toString('base64url'),
  port: settings.UPSTASH_BRIDGE_PORT ?? 8079,
})
await warnIfRedisIsDown()

const via = delayMs > 0 ? ` (+${delayMs} ms each way)` : ''
console.error(`Neon stand-in on 127.0.0.1:${neon.port} → Postgres ${new URL(realDatabaseUrl).host}${via}`)
console.error(`Upstash bridge on 127.0.0.1:${upstash.port} → Redis ${new URL(realRedisUrl).host}${via}`)
console.error('Export these, then run the project:')
console.log(`DATABASE_URL=${databaseUrl}`)
console.log(`NEON_WS_PROXY=${neon.webSocketUrl}`)
console.log(`NEON_HTTP_ENDPOINT=${neon.httpEndpoint}`)
console.log(`UPSTASH_REDIS_REST_URL=${upstash.url}`)
console.log(`UPSTASH_REDIS_REST_TOKEN=${upstash.token}`)
console.error('Ctrl-C stops the services.')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([neon.close(), upstash.close(), ...delays.map((delay) => delay.close())]).then(() =>
      process.exit(0),
    )
  })
}

/** With SERVICES_DELAY_MS, the same URL through a delay proxy on a port of its own. */
async function delayed(url: string, defaultPort: number): Promise<string> {
  if (delayMs === 0) return url
  const parsed = new URL(url)
  const proxy = await startDelayProxy({
    target: { host: parsed.hostname, port: Number(parsed.port || defaultPort) },
    delayMs,
  })
  delays.push(proxy)
  parsed.hostname = '127.0.0.1'
  parsed.port = String(proxy.port)
  return parsed.href
}

/** Creates the target database on first use, so one command sets up a fresh machine. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1))
  const maintenance = new URL(url)
  maintenance.pathname = '/postgres'
  const client = new pg.Client({ connectionString: maintenance.href, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
  } catch (error) {
    console.error(`Postgres at ${target.host} did not answer (${(error as Error).message}). Is it running?`)
    process.exit(1)
  }
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name])
    if (!rowCount) {
      await client.query(`create database ${pg.escapeIdentifier(name)}`)
      console.error(`created database ${name}`)
    }
  } finally {
    await client.end()
  }
}

/** The bridge recovers by itself when Redis starts later; say so rather than fail. */
async function warnIfRedisIsDown(): Promise<void> {
  const response = await fetch(upstash.url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${upstash.token}` },
    body: '["PING"]',
  })
  if (!response.ok) {
    console.error(
      `warning: Redis at ${new URL(redisUrl).host} does not answer yet; the bridge answers 503 until it does`,
    )
  }
}
