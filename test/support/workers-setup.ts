/**
 * For the Workers project: `npm run services` in a child process (the
 * project's resolve conditions are workerd's, under which `ws` and `pg` are
 * browser stubs), so the Worker inside workerd reaches the test Postgres
 * through the real Neon driver and the local stand-in (HTTP batches, and
 * WebSockets where a transaction is interactive).
 */
import { documentsMigrations } from '@serverless-dal/documents'
import { createDatabase, migrateToLatest } from '@serverless-dal/repository'
import type { TestProject } from 'vitest/node'
import { allDrivers } from './drivers.ts'
import { createScratchDatabase } from './postgres.ts'
import { envLines, startServices } from './processes.ts'
import { assertRedisReachable, testRedisUrl } from './redis.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    neonWsProxy: string
    neonHttpEndpoint: string
    upstashUrl: string
    upstashToken: string
    cacheNamespace: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await assertRedisReachable()
  const scratch = await createScratchDatabase('workers')
  const services = await startServices(scratch.url, testRedisUrl())
  const env = envLines(services.stdout())
  const database = createDatabase(
    {
      driver: 'neon-pool',
      connectionString: env.DATABASE_URL as string,
      proxy: { webSocketUrl: env.NEON_WS_PROXY as string },
    },
    allDrivers,
  )
  await migrateToLatest(database.db, documentsMigrations)
  await database.dispose()
  project.provide('databaseUrl', env.DATABASE_URL as string)
  project.provide('neonWsProxy', env.NEON_WS_PROXY as string)
  project.provide('neonHttpEndpoint', env.NEON_HTTP_ENDPOINT as string)
  project.provide('upstashUrl', env.UPSTASH_REDIS_REST_URL as string)
  project.provide('upstashToken', env.UPSTASH_REDIS_REST_TOKEN as string)
  project.provide('cacheNamespace', `workers-${Date.now().toString(36)}`)
  return async () => {
    await services.stop()
    await scratch.drop()
  }
}
