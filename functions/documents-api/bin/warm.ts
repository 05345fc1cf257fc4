/**
 * `npm run warm`: one scheduled run from this machine — expired idempotency
 * keys purged, then the cache-warm job — against the Postgres and Redis in the
 * environment (the variables `npm run services` prints), with a progress bar.
 * Warming needs Redis: the hot keys live there.
 *
 *   WARM_BUDGET_MS  time budget (default 20 000);  JWT_SECRET as for the API
 */
import { documentsMigrations } from '@serverless-dal/documents'
import {
  databaseConfigFromEnv,
  JsonLogger,
  migrateConfigured,
  parseLogLevel,
  perProcessLifetime,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { pgliteDriver } from '@serverless-dal/repository/pglite'
import { Redis } from '@upstash/redis'
import pg from 'pg'
import { DEVELOPMENT_JWT_SECRET } from '../http/auth.ts'
import { runScheduled } from '../scheduled.ts'
import { createService, warmBudget } from '../service.ts'

const env = process.env
if (!env.UPSTASH_REDIS_REST_URL || !env.UPSTASH_REDIS_REST_TOKEN) {
  console.error('npm run warm needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (see npm run services)')
  process.exit(2)
}
const config = databaseConfigFromEnv({ PGLITE_DATA_DIR: '.data/pglite', ...env }, { runtime: 'node' })
const drivers = { drivers: [neonDrivers, pgliteDriver], pg }
const databases = perProcessLifetime(config, drivers)
await migrateConfigured(config, databases.lease().database, documentsMigrations, drivers)
// Log lines go to stderr, beside the progress bar: stdout is the report. The run's own INFO line says
// what the report says, so this command logs from WARN on unless LOG_LEVEL asks for more.
const logger = new JsonLogger({
  serviceName: env.POWERTOOLS_SERVICE_NAME || 'documents-api',
  level: parseLogLevel(env.LOG_LEVEL, 'LOG_LEVEL', 'WARN'),
  write: (_level, record) => process.stderr.write(`${JSON.stringify(record)}\n`),
})
const service = createService({
  env: { POWERTOOLS_METRICS_DISABLED: 'true', ...env },
  logger,
  runtime: 'node',
  databases,
  jwtSecret: env.JWT_SECRET || DEVELOPMENT_JWT_SECRET,
  redis: new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, enableTelemetry: false }),
})

const bar = (done: number, total: number) => {
  const width = 30
  const filled = total ? Math.round((done / total) * width) : width
  process.stderr.write(`\rwarming [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`)
}
const result = await runScheduled(service, 'npm run warm', { ...warmBudget(service.config), onProgress: bar })
process.stderr.write('\n')
console.log(JSON.stringify(result, null, 2))
await service.factory.dispose()
process.exit(result.warm.redisUnavailable ? 1 : 0)
