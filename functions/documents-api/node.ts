/**
 * The documents API on plain Node: `npm start`.
 *
 * Without DATABASE_URL it runs on an embedded PGlite kept in `.data/pglite`
 * (PGLITE_DATA_DIR), migrated and seeded with sample data on first start, so
 * it needs no service at all. With the variables that `npm run services`
 * prints, it talks to Postgres through the Neon driver and caches in Redis
 * through Upstash. Without JWT_SECRET it uses the development secret on the
 * embedded default only (and says so), and refuses to start with a real
 * database; it prints a token to try the API with.
 *
 * Each request prints its metrics as one EMF line on stdout (silence them
 * with POWERTOOLS_METRICS_DISABLED=true); the service logs JSON lines in
 * Powertools Logger's shape at LOG_LEVEL (docs/logging.md). A variable set to a value the
 * service cannot use (RATE_LIMIT_REQUESTS=ten) refuses to start, before the
 * database is opened.
 */
import { mkdirSync } from 'node:fs'
import { serve } from '@hono/node-server'
import { documentsMigrations } from '@serverless-dal/documents'
import {
  databaseConfigFromEnv,
  EmfMetricsSink,
  JsonLogger,
  migrateConfigured,
  perProcessLifetime,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { nodeHmacSigner } from '@serverless-dal/repository/node'
import { pgliteDriver } from '@serverless-dal/repository/pglite'
import { Redis } from '@upstash/redis'
import pg from 'pg'
import { loadCommandConfig } from './config/load-config.ts'
import { nodeDocsFiles } from './docs/node-files.ts'
import { signToken } from './http/auth.ts'
import { localJwtSecret } from './http/jwt-secret.ts'
import { SAMPLE_ORG, seedSampleData } from './seed.ts'
import { createService, loadServiceConfig, logSettings, type ServiceConfig } from './service.ts'

const env = process.env
// Every variable checked before anything starts: a bad one stops here, named.
let settings: ServiceConfig
let port: number
let jwtSecret: string
try {
  settings = loadServiceConfig(env)
  port = loadCommandConfig(env, ['PORT']).PORT ?? 3000
  const chosen = localJwtSecret(settings)
  jwtSecret = chosen.secret
  if (chosen.development) console.warn('JWT_SECRET is not set: using the development secret on the embedded database')
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`)
  process.exit(2)
}

// The service's log lines: JSON at LOG_LEVEL (the start-up lines here stay text for people).
const logger = new JsonLogger(logSettings(settings))
const config = databaseConfigFromEnv({ PGLITE_DATA_DIR: '.data/pglite', ...env }, { runtime: 'node' })
// every driver a config may name here: PGlite without DATABASE_URL, Neon's or node-postgres with one
const drivers = { drivers: [neonDrivers, pgliteDriver], pg }
const databases = perProcessLifetime(config, {
  ...drivers,
  onIdleConnectionError: (error) => logger.warn('idle database connection lost', { reason: error.message }),
})

// PGlite creates its data directory but not the parents.
if (config.driver === 'pglite' && config.dataDir) mkdirSync(config.dataDir, { recursive: true })

const { UPSTASH_REDIS_REST_URL: redisUrl, UPSTASH_REDIS_REST_TOKEN: redisToken } = settings
const redis =
  redisUrl && redisToken ? new Redis({ url: redisUrl, token: redisToken, enableTelemetry: false }) : undefined

const where =
  config.driver === 'pglite' ? `embedded PGlite (${config.dataDir ?? 'memory'})` : `Postgres via ${config.driver}`
console.log(`migrating ${where}…`)
try {
  await migrateConfigured(config, databases.lease().database, documentsMigrations, drivers)
} catch (error) {
  console.error(`cannot start: ${(error as Error).message}`)
  await databases.dispose()
  process.exit(1)
}

const service = createService({
  env,
  runtime: 'node',
  databases,
  logger,
  metricsEmitter: EmfMetricsSink, // EMF without Powertools
  jwtSecret,
  signCursorsWith: nodeHmacSigner,
  ...(redis && { redis }),
  docsFiles: nodeDocsFiles(), // /docs: Swagger UI's files from node_modules
})
if (config.driver === 'pglite') {
  const seeded = await seedSampleData(service.factory)
  if (seeded) console.log(`seeded ${seeded} sample documents for organization "${SAMPLE_ORG}"`)
}

const token = await signToken(jwtSecret, { org: SAMPLE_ORG, role: 'editor', sub: 'npm-start' })
const server = serve({ fetch: service.app.fetch, port }, (info) => {
  console.log(`documents API on http://localhost:${info.port} (${where}${redis ? ', Redis cache' : ''})`)
  console.log(`its reference: http://localhost:${info.port}/docs`)
  console.log(`try: curl -H "Authorization: Bearer ${token}" http://localhost:${info.port}/documents`)
})

// A stop lets the work left after responses (deferred cache stores, metrics lines) finish first.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    void service.background
      .settled()
      .then(() => service.factory.dispose())
      .then(() => process.exit(0))
  })
}
