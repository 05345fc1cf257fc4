/**
 * The documents API on Cloudflare Workers. Reads and writes go to Neon's
 * HTTP endpoint as one batch each (the `neon` driver): no WebSocket to open
 * before the first statement. A WebSocket pool, if an interactive transaction
 * ever needs one, may not outlive the request that opened it, so each request
 * leases its own database and the app ends it through `ctx.waitUntil` after
 * the response, with the request's background work. The cron trigger
 * (wrangler.toml) runs `scheduled`.
 *
 * Metrics are Powertools EMF lines on the console (Workers Logs / Logpush),
 * flushed once per request and per scheduled run. Powertools needs
 * POWERTOOLS_DEV=true and POWERTOOLS_METRICS_DISABLED=false under workerd:
 * wrangler.toml sets both. JWT_SECRET is required (`wrangler secret put`).
 */
import { type DatabaseEnv, databaseConfigFromEnv, perRequestLifetime } from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { Redis } from '@upstash/redis/cloudflare'
import type { ExecutionContext } from 'hono'
import { problem } from './http/problems.ts'
import { runScheduled } from './scheduled.ts'
import { createService, deployedJwtSecret, loadServiceConfig, type ServiceEnv, warmBudget } from './service.ts'

type WorkerEnv = DatabaseEnv & ServiceEnv & { UPSTASH_REDIS_REST_URL?: string; UPSTASH_REDIS_REST_TOKEN?: string }

let service: ReturnType<typeof createService> | undefined

/** The isolate's service; throws why it cannot start. */
function serviceFor(env: WorkerEnv): ReturnType<typeof createService> {
  if (service) return service
  loadServiceConfig(env) // every variable checked first, so a bad one is named before anything is built
  const jwtSecret = deployedJwtSecret(env)
  const redis =
    env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
      ? new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, enableTelemetry: false })
      : undefined
  service = createService({
    env,
    runtime: 'workers',
    // `neon`: reads and one-statement writes as HTTP batches, no connection to open per request.
    databases: perRequestLifetime(databaseConfigFromEnv(env, { runtime: 'workers' }), { drivers: [neonDrivers] }),
    jwtSecret,
    ...(redis && { redis }),
  })
  return service
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
    let current: ReturnType<typeof createService>
    try {
      current = serviceFor(env)
    } catch (error) {
      // Workers cannot refuse to start: every request says what is missing instead.
      return problem(500, `the service is not configured: ${(error as Error).message}`)
    }
    return current.app.fetch(request, env, ctx)
  },

  scheduled(controller: { cron: string }, env: WorkerEnv, ctx: ExecutionContext) {
    const current = serviceFor(env)
    ctx.waitUntil(runScheduled(current, controller.cron, warmBudget(current.config)))
  },
}
