/**
 * The documents API on Cloudflare Workers. A Neon pool may not outlive the
 * request that opened it, so each request leases its own database and the app
 * ends it through `ctx.waitUntil` after the response.
 */
import { type DatabaseEnv, databaseConfigFromEnv, perRequestLifetime } from '@serverless-dal/repository'
import type { ExecutionContext, Hono } from 'hono'
import { type AppEnv, createApp } from './app.ts'

let app: Hono<AppEnv> | undefined

export default {
  fetch(request: Request, env: DatabaseEnv, ctx: ExecutionContext) {
    // The embedded PGlite cannot run on Workers: a database URL is required.
    if (!env.DATABASE_URL) {
      return Response.json({ title: 'DATABASE_URL is not configured', status: 500 }, { status: 500 })
    }
    app ??= createApp({ databases: perRequestLifetime(databaseConfigFromEnv(env)) })
    return app.fetch(request, env, ctx)
  },
}
