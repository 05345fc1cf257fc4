/**
 * The documents API on Cloudflare Workers. A Neon pool may not outlive the
 * request that opened it, so each request leases its own database and the app
 * ends it through `ctx.waitUntil` after the response.
 *
 * Metrics are Powertools EMF lines on the console (Workers Logs / Logpush),
 * flushed once per request. Powertools needs POWERTOOLS_DEV=true and
 * POWERTOOLS_METRICS_DISABLED=false under workerd: wrangler.toml sets both.
 */
import { type DatabaseEnv, databaseConfigFromEnv, perRequestLifetime } from '@serverless-dal/repository'
import type { ExecutionContext, Hono } from 'hono'
import { type AppEnv, createApp } from './app.ts'
import { type MetricsEnv, metricsFromEnv } from './runtime-metrics.ts'

let app: Hono<AppEnv> | undefined

export default {
  fetch(request: Request, env: DatabaseEnv & MetricsEnv, ctx: ExecutionContext) {
    // The embedded PGlite cannot run on Workers: a database URL is required.
    if (!env.DATABASE_URL) {
      return Response.json({ title: 'DATABASE_URL is not configured', status: 500 }, { status: 500 })
    }
    app ??= createApp({ databases: perRequestLifetime(databaseConfigFromEnv(env)), metrics: metricsFromEnv(env) })
    return app.fetch(request, env, ctx)
  },
}
