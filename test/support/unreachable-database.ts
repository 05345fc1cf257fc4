/**
 * A database that cannot be reached: the Neon stand-in in front of a port
 * where no Postgres listens. Connecting fails the way a Neon outage does.
 */
import { startNeonStandIn } from '@serverless-dal/local-services'
import { type DatabaseLifetime, perProcessLifetime } from '@serverless-dal/repository'
import { allDrivers } from './drivers.ts'

const NOWHERE = 'postgres://postgres@127.0.0.1:1/none'

export async function unreachableDatabase(
  connectionTimeoutMs = 1_000,
): Promise<{ lifetime: DatabaseLifetime; close(): Promise<void> }> {
  const neon = await startNeonStandIn({ upstreamUrl: NOWHERE })
  const lifetime = perProcessLifetime(
    {
      driver: 'neon-pool',
      connectionString: NOWHERE,
      proxy: { webSocketUrl: neon.webSocketUrl },
      connectionTimeoutMs,
    },
    allDrivers,
  )
  return {
    lifetime,
    async close() {
      await lifetime.dispose()
      await neon.close()
    },
  }
}
