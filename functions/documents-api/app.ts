/**
 * The documents API as one Hono app, shared by every runtime entry beside it.
 * For now it answers the two routes that need no repository: `/ping` and
 * `/health`. Each request gets its database from the entry's lifetime (a fresh
 * pool per request on Workers, one per process elsewhere) and one metrics
 * invocation, flushed when the request ends (`request-metrics.ts`).
 */
import type { DatabaseLifetime, RepositoryMetrics } from '@serverless-dal/repository'
import { Hono } from 'hono'
import { sql } from 'kysely'
import { type MetricsVariables, requestMetrics } from './request-metrics.ts'

export interface AppOptions {
  /** Where request scopes get their database; chosen by the runtime entry. */
  databases: DatabaseLifetime
  /** The isolate's metrics; each request records into an invocation of its own. */
  metrics: RepositoryMetrics
}

export type AppEnv = { Variables: MetricsVariables }

export function createApp({ databases, metrics }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use(requestMetrics(metrics))

  // No auth, no I/O: the bare baseline for benchmarks.
  app.get('/ping', (c) => c.text('pong'))

  app.get('/health', async (c) => {
    const lease = databases.lease()
    try {
      await sql`select 1`.execute(lease.database.db)
      return c.json({ status: 'ok', db: 'ok', cache: 'disabled' })
    } catch {
      return c.json({ status: 'degraded', db: 'unavailable', cache: 'disabled' }, 503)
    } finally {
      await releaseAfterResponse(c, lease.release())
    }
  })

  return app
}

/** On Workers the release runs after the response through `waitUntil`; elsewhere it is awaited. */
async function releaseAfterResponse(
  c: { executionCtx: { waitUntil(p: Promise<unknown>): void } },
  release: Promise<void>,
) {
  let executionContext: { waitUntil(p: Promise<unknown>): void } | undefined
  try {
    executionContext = c.executionCtx
  } catch {
    // Hono throws when the runtime gave no execution context (Node, Lambda, tests)
  }
  if (executionContext) executionContext.waitUntil(release)
  else await release
}
