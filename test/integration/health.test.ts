/** /health reports the database as it is, through the app every runtime shares. */

import { createDocumentsFactory } from '@serverless-dal/documents'
import { createApp } from '@serverless-dal/documents-api/app.ts'
import { startNeonStandIn } from '@serverless-dal/local-services'
import { type DatabaseLifetime, perRequestLifetime, RepositoryMetrics, silentLogger } from '@serverless-dal/repository'
import { describe, expect, it } from 'vitest'
import { allDrivers } from '../support/drivers.ts'
import { createScratchDatabase } from '../support/postgres.ts'

describe('GET /health', () => {
  it('is ok through the Neon driver and ends the per-request pool', async () => {
    const scratch = await createScratchDatabase('health')
    const neon = await startNeonStandIn({ upstreamUrl: scratch.url })
    try {
      const databases = perRequestLifetime(
        {
          driver: 'neon-pool',
          connectionString: scratch.url,
          proxy: { webSocketUrl: neon.webSocketUrl },
        },
        allDrivers,
      )
      const response = await appFor(databases).request('/health')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ status: 'ok', db: 'ok', cache: 'disabled' })
      await expect.poll(() => neon.openTunnels()).toBe(0)
    } finally {
      await neon.close()
      await scratch.drop()
    }
  })

  it('answers 503 degraded when Postgres is unreachable', async () => {
    const neon = await startNeonStandIn({ upstreamUrl: 'postgres://postgres@127.0.0.1:1/none' })
    try {
      const databases = perRequestLifetime(
        {
          driver: 'neon-pool',
          connectionString: 'postgres://postgres@127.0.0.1:1/none',
          proxy: { webSocketUrl: neon.webSocketUrl },
          connectionTimeoutMs: 2000,
        },
        allDrivers,
      )
      const response = await appFor(databases).request('/health')
      expect(response.status).toBe(503)
      expect(await response.json()).toEqual({ status: 'degraded', db: 'unavailable', cache: 'disabled' })
    } finally {
      await neon.close()
    }
  })
})

function appFor(databases: DatabaseLifetime) {
  const metrics = new RepositoryMetrics()
  const factory = createDocumentsFactory({ database: databases, cache: false, metrics, logger: silentLogger })
  return createApp({ databases, metrics, factory, jwtSecret: 'health-test-secret' })
}
