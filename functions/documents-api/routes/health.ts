/**
 * `/ping` and `/health`: no token, in the OpenAPI document like every other
 * route. `/ping` does no I/O (the bare baseline for benchmarks); `/health`
 * answers from a probe at most a second old, so unauthenticated callers
 * cannot turn it into load on the database.
 */
import type { DocumentsFactory } from '@serverless-dal/documents'
import type { DatabaseLifetime } from '@serverless-dal/repository'
import { type Context, Hono } from 'hono'
import { sql } from 'kysely'
import { afterResponse, type Deferral } from '../http/after-response.ts'
import { json, operation } from '../openapi/operation.ts'
import type { ApiEnv } from './api-env.ts'

const ping = operation({
  method: 'get',
  tags: ['service'],
  path: '/ping',
  summary: 'pong, with no auth and no I/O: the bare baseline for benchmarks',
  security: [],
  responses: { 200: { content: { 'text/plain': { schema: 'Pong' } }, description: 'pong' } },
})

const health = operation({
  method: 'get',
  tags: ['service'],
  path: '/health',
  summary: 'Each dependency: the database and the cache, from a probe at most 1 s old (no auth)',
  security: [],
  responses: {
    200: json('Health', 'the database answers'),
    503: json('Health', 'the database does not answer'),
  },
})

/** What `/openapi.json` says of these routes. */
export const healthOperations = [ping, health]

/** Chained, so the app's type carries both routes. */
export function healthRoutes(databases: DatabaseLifetime, factory: DocumentsFactory, deferral: Deferral) {
  const latestProbe = probeAtMostEvery(HEALTH_MAX_AGE_MS, (c) => probe(c, databases, factory, deferral))
  return new Hono<ApiEnv>()
    .get(ping.path, (c) => c.text('pong', 200))
    .get(health.path, async (c) => {
      const { db, cache } = await latestProbe(c)
      const status = db === 'ok' && cache !== 'unavailable' ? 'ok' : 'degraded'
      return db === 'ok' ? c.json({ status, db, cache }, 200) : c.json({ status, db, cache }, 503)
    })
}

const HEALTH_MAX_AGE_MS = 1_000

interface ProbeResult {
  status: 'ok' | 'degraded'
  db: 'ok' | 'unavailable'
  cache: 'disabled' | 'memory' | 'ok' | 'unavailable'
}

/** One probe shared by every request within `maxAgeMs` of it. */
function probeAtMostEvery(maxAgeMs: number, run: (c: Context) => Promise<Omit<ProbeResult, 'status'>>) {
  let latest: { at: number; result: Promise<Omit<ProbeResult, 'status'>> } | undefined
  return (c: Context) => {
    if (!latest || Date.now() - latest.at > maxAgeMs) latest = { at: Date.now(), result: run(c) }
    return latest.result
  }
}

async function probe(
  c: Context,
  databases: DatabaseLifetime,
  factory: DocumentsFactory,
  deferral: Deferral,
): Promise<Omit<ProbeResult, 'status'>> {
  const lease = databases.lease()
  let db: ProbeResult['db'] = 'ok'
  try {
    await sql`select 1`.execute(lease.database.db)
  } catch {
    db = 'unavailable'
  } finally {
    await afterResponse(c, deferral, lease.release())
  }
  const cache = (await factory.cache?.probe()) ?? 'disabled'
  return { db, cache }
}
