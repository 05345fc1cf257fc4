/**
 * The documents API on plain Node: `npm start`.
 *
 * Without DATABASE_URL it runs on an embedded PGlite kept in `.data/pglite`
 * (PGLITE_DATA_DIR), so it needs no service at all. With the variables that
 * `npm run services` prints, it talks to Postgres through the Neon driver.
 * Migrations are applied at start; they are idempotent and take a lock.
 * Each request prints its metrics as one EMF line on stdout (silence them with
 * POWERTOOLS_METRICS_DISABLED=true).
 */
import { mkdirSync } from 'node:fs'
import { serve } from '@hono/node-server'
import { databaseConfigFromEnv, migrateToLatest, perProcessLifetime } from '@serverless-dal/repository'
import { createApp } from './app.ts'
import { metricsFromEnv } from './runtime-metrics.ts'

const config = databaseConfigFromEnv({ PGLITE_DATA_DIR: '.data/pglite', ...process.env })
const databases = perProcessLifetime(config, {
  onIdleConnectionError: (error) =>
    console.warn(JSON.stringify({ level: 'warn', msg: 'idle db connection lost', error: error.message })),
})

// PGlite creates its data directory but not the parents.
if (config.driver === 'pglite' && config.dataDir) mkdirSync(config.dataDir, { recursive: true })

const where =
  config.driver === 'pglite' ? `embedded PGlite (${config.dataDir ?? 'memory'})` : `Postgres via ${config.driver}`
console.log(`migrating ${where}…`)
try {
  await migrateToLatest(databases.lease().database.db)
} catch (error) {
  console.error(`cannot start: ${(error as Error).message}`)
  await databases.dispose()
  process.exit(1)
}

const port = Number(process.env.PORT ?? 3000)
const app = createApp({ databases, metrics: metricsFromEnv(process.env) })
const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(`documents API on http://localhost:${info.port} (${where})`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    void databases.dispose().then(() => process.exit(0))
  })
}
