/**
 * The whole stack for the reliability suite, with its faults at hand: a
 * scratch Postgres behind the Neon stand-in (connections can be cut, an
 * outage switched on), Redis behind the Upstash bridge (latency, stop,
 * restart), and the documents API over them as the Node entry builds it.
 */

import { documentsMigrations } from '@serverless-dal/documents'
import type { ServiceEnv } from '@serverless-dal/documents-api/service.ts'
import { startNeonStandIn, startUpstashBridge, type UpstashBridge } from '@serverless-dal/local-services'
import { migrateToLatest, perProcessLifetime } from '@serverless-dal/repository'
import { Redis } from '@upstash/redis'
import pg from 'pg'
import { apiOver } from './api.ts'
import { allDrivers } from './drivers.ts'
import { createScratchDatabase } from './postgres.ts'
import { testRedisUrl } from './redis.ts'

export const RELIABILITY_FULL = process.env.RELIABILITY_FULL === '1'

export async function reliabilityStack(label: string, env: ServiceEnv = {}) {
  const scratch = await createScratchDatabase(label)
  const neon = await startNeonStandIn({ upstreamUrl: scratch.url })
  let bridge: UpstashBridge = await startUpstashBridge({ redisUrl: testRedisUrl(), token: `${label}-token` })
  const bridgePort = bridge.port
  const databases = perProcessLifetime(
    {
      driver: 'neon-pool',
      connectionString: scratch.url,
      proxy: { webSocketUrl: neon.webSocketUrl },
      connectionTimeoutMs: 1_000,
    },
    allDrivers,
  )
  await migrateToLatest(databases.lease().database.db, documentsMigrations)
  const redis = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false, retry: false })
  const api = apiOver({ lifetime: databases }, redis, env)
  /** Direct SQL to the scratch database, beside the stack, for checking rows. */
  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: scratch.url })
    await client.connect()
    try {
      return (await client.query<R>(text, values)).rows
    } finally {
      await client.end()
    }
  }
  return {
    api,
    neon,
    sql,
    get bridge() {
      return bridge
    },
    /** Stops the bridge (Redis unreachable for the app). */
    async stopBridge() {
      await bridge.close()
    },
    /** Starts it again on the same port. */
    async restartBridge() {
      bridge = await startUpstashBridge({ redisUrl: testRedisUrl(), token: `${label}-token`, port: bridgePort })
    },
    async close() {
      await api.service.factory.dispose()
      await neon.close()
      await bridge.close().catch(() => {})
      await scratch.drop()
    },
  }
}

/** Prints a test's figure in one line, as the suite promises. */
export function figure(name: string, values: Record<string, number | string>): void {
  console.log(
    `[reliability] ${name}: ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  )
}
