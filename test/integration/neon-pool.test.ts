/**
 * The Neon serverless driver's WebSocket Pool, through the local stand-in, to
 * real Postgres: the production path for queries and transactions.
 */
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import {
  createDatabase,
  type Database,
  lifetimeForRuntime,
  type NeonPoolConfig,
  perProcessLifetime,
  perRequestLifetime,
} from '@serverless-dal/repository'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allDrivers } from '../support/drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'

let scratch: ScratchDatabase
let neon: NeonStandIn
let config: NeonPoolConfig
let database: Database

beforeAll(async () => {
  scratch = await createScratchDatabase('neon_pool')
  neon = await startNeonStandIn({ upstreamUrl: scratch.url })
  config = { driver: 'neon-pool', connectionString: scratch.url, proxy: { webSocketUrl: neon.webSocketUrl } }
  database = createDatabase(config, allDrivers)
  await sql`create table notes (id bigint generated always as identity primary key, text text not null unique)`.execute(
    database.db,
  )
})

afterAll(async () => {
  await database?.dispose()
  await neon?.close()
  await scratch?.drop()
})

async function noteTexts(): Promise<string[]> {
  const { rows } = await sql<{ text: string }>`select text from notes order by id`.execute(database.db)
  return rows.map((row) => row.text)
}

describe('the Neon Pool through the local proxy', () => {
  it('runs a parameterised query and reads int8 as a number', async () => {
    const { rows } = await sql<{ n: number; label: string }>`select ${41}::int8 + 1 as n, ${'héllo'} as label`.execute(
      database.db,
    )
    expect(rows).toEqual([{ n: 42, label: 'héllo' }])
    expect(neon.openTunnels()).toBeGreaterThan(0)
  })

  it('commits a transaction', async () => {
    await database.db.transaction().execute(async (trx) => {
      await sql`insert into notes (text) values ('committed')`.execute(trx)
    })
    expect(await noteTexts()).toContain('committed')
  })

  it('rolls back a transaction that throws and leaves no row', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into notes (text) values ('thrown away')`.execute(trx)
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await noteTexts()).not.toContain('thrown away')
  })

  it('rolls back to a savepoint inside a transaction that commits', async () => {
    const trx = await database.db.startTransaction().execute()
    try {
      await sql`insert into notes (text) values ('outer')`.execute(trx)
      const inner = await trx.savepoint('inner').execute()
      await sql`insert into notes (text) values ('inner')`.execute(inner)
      await inner.rollbackToSavepoint('inner').execute()
      await trx.commit().execute()
    } catch (error) {
      await trx.rollback().execute()
      throw error
    }
    const texts = await noteTexts()
    expect(texts).toContain('outer')
    expect(texts).not.toContain('inner')
  })

  it('surfaces a Postgres error with its code and keeps the pool usable', async () => {
    await sql`insert into notes (text) values ('unique')`.execute(database.db)
    await expect(sql`insert into notes (text) values ('unique')`.execute(database.db)).rejects.toMatchObject({
      code: '23505',
    })
    expect((await sql`select 1 as one`.execute(database.db)).rows).toEqual([{ one: 1 }])
  })
})

describe('database lifetimes', () => {
  it('ends a per-request database on release, leaving no tunnel open', async () => {
    const before = neon.openTunnels()
    const lifetime = perRequestLifetime(config, allDrivers)
    const lease = lifetime.lease()
    await sql`select 1`.execute(lease.database.db)
    expect(neon.openTunnels()).toBe(before + 1)
    await lease.release()
    await expect.poll(() => neon.openTunnels()).toBe(before)
    expect(lifetime.lease().database).not.toBe(lease.database)
    await lifetime.dispose()
  })

  it('shares one per-process database across leases and ends it on dispose', async () => {
    const before = neon.openTunnels()
    const lifetime = perProcessLifetime(config, allDrivers)
    const first = lifetime.lease()
    const second = lifetime.lease()
    expect(second.database).toBe(first.database)
    await sql`select 1`.execute(first.database.db)
    await first.release() // no-op: the database is shared
    await sql`select 1`.execute(second.database.db)
    await lifetime.dispose()
    await expect.poll(() => neon.openTunnels()).toBe(before)
  })

  it('follows the runtime: per request on Workers, per process on Lambda and Node', async () => {
    for (const runtime of ['workers', 'lambda', 'node'] as const) {
      const lifetime = lifetimeForRuntime(runtime, config, allDrivers)
      const first = lifetime.lease().database
      const second = lifetime.lease().database
      const shared = first === second
      expect({ runtime, shared }).toEqual({ runtime, shared: runtime !== 'workers' })
      await lifetime.dispose()
    }
  })
})
