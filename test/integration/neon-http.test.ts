/** Neon's HTTP `neon()` path, through the local stand-in, to real Postgres. */

import { NeonDbError, neon, neonConfig } from '@neondatabase/serverless'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import { createDatabase, TransactionsUnsupportedError } from '@serverless-dal/repository'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allDrivers } from '../support/drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'

let scratch: ScratchDatabase
let standIn: NeonStandIn

beforeAll(async () => {
  scratch = await createScratchDatabase('neon_http')
  standIn = await startNeonStandIn({ upstreamUrl: scratch.url })
  neonConfig.fetchEndpoint = standIn.httpEndpoint
  await neon(scratch.url).query(
    'create table tags (id bigint generated always as identity primary key, name text unique not null, at timestamptz default now())',
  )
})

afterAll(async () => {
  await standIn?.close()
  await scratch?.drop()
})

describe('neon() over HTTP through the local stand-in', () => {
  it('runs a parameterised query and parses values as the driver does', async () => {
    const query = neon(scratch.url)
    const rows = await query.query('select $1::int4 + 1 as n, $2::text as s, now() as at, null::text as nothing', [
      1,
      'x',
    ])
    expect(rows).toEqual([{ n: 2, s: 'x', at: expect.any(Date), nothing: null }])
    const tagged = await query`select ${'a'} || ${'b'} as joined`
    expect(tagged).toEqual([{ joined: 'ab' }])
  })

  it('runs a batch as one transaction that commits', async () => {
    const query = neon(scratch.url)
    const [first, second] = await query.transaction([
      query`insert into tags (name) values (${'alpha'}) returning name`,
      query`insert into tags (name) values (${'beta'}) returning name`,
    ])
    expect(first).toEqual([{ name: 'alpha' }])
    expect(second).toEqual([{ name: 'beta' }])
    expect(await query`select name from tags order by name`).toEqual([{ name: 'alpha' }, { name: 'beta' }])
  })

  it('rolls back the whole batch when one statement fails', async () => {
    const query = neon(scratch.url)
    await expect(
      query.transaction(
        [query`insert into tags (name) values (${'gamma'})`, query`insert into tags (name) values (${'alpha'})`],
        { isolationLevel: 'Serializable' },
      ),
    ).rejects.toBeInstanceOf(NeonDbError)
    expect(await query`select count(*)::int as n from tags where name = 'gamma'`).toEqual([{ n: 0 }])
  })

  it('surfaces a unique violation with its Postgres code and constraint', async () => {
    const query = neon(scratch.url)
    const error = await query`insert into tags (name) values (${'alpha'})`.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NeonDbError)
    expect(error).toMatchObject({ code: '23505', constraint: 'tags_name_key', severity: 'ERROR' })
  })

  it('serves one-shot reads through Kysely and refuses transactions', async () => {
    const database = createDatabase(
      {
        driver: 'neon-http',
        connectionString: scratch.url,
        proxy: { httpEndpoint: standIn.httpEndpoint },
      },
      allDrivers,
    )
    const { rows } = await sql<{ id: number; name: string }>`select id, name from tags where name = ${'alpha'}`.execute(
      database.db,
    )
    expect(rows).toEqual([{ id: expect.any(Number), name: 'alpha' }])
    await expect(database.db.transaction().execute(async () => {})).rejects.toBeInstanceOf(TransactionsUnsupportedError)
    await database.dispose()
  })
})
