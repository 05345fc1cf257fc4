/**
 * For the Workers project: `npm run services` in a child process (the
 * project's resolve conditions are workerd's, under which `ws` and `pg` are
 * browser stubs), so the Worker inside workerd reaches the test Postgres
 * through the real Neon driver and the local stand-in.
 */
import type { TestProject } from 'vitest/node'
import { envLines, startScript } from './processes.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    neonWsProxy: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startScript(
    'infra/local-services/bin/services.ts',
    {
      SERVICES_DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      NEON_STANDIN_PORT: '0',
      UPSTASH_BRIDGE_PORT: '0',
    },
    /UPSTASH_REDIS_REST_TOKEN=/,
  )
  const env = envLines(services.stdout())
  project.provide('databaseUrl', env.DATABASE_URL as string)
  project.provide('neonWsProxy', env.NEON_WS_PROXY as string)
  return async () => {
    await services.stop()
  }
}
