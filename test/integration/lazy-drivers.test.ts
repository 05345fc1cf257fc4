/**
 * node-postgres handed in as a loader: it loads on a database's first
 * statement, not when the database is created (issue 18), so a Lambda on
 * Neon never loads it. Real Postgres. (Neon's own driver loads the same way
 * behind `neonDrivers`; every Neon test goes through that.)
 */
import { createDatabase, type PgModule } from '@serverless-dal/repository'
import { sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { testDatabaseUrl } from './../support/postgres.ts'

describe('a pg driver handed in as a loader', () => {
  it('loads node-postgres on the first statement, once, and works as the module does', async () => {
    let loads = 0
    const load = async (): Promise<PgModule> => {
      loads++
      return pg
    }
    const database = createDatabase({ driver: 'pg', connectionString: testDatabaseUrl() }, { pg: load })
    try {
      expect(loads).toBe(0) // created, not loaded
      const first = await sql<{ one: number }>`select 1 as one`.execute(database.db)
      const second = await database.db
        .transaction()
        .execute((trx) => sql<{ two: number }>`select 2 as two`.execute(trx))
      expect([first.rows[0]?.one, second.rows[0]?.two]).toEqual([1, 2])
      expect(loads).toBe(1)
    } finally {
      await database.dispose()
    }
  })

  it('tries the load again on the next statement when it failed', async () => {
    let loads = 0
    const load = async (): Promise<PgModule> => {
      loads++
      if (loads === 1) throw new Error('injected: the module could not be loaded')
      return pg
    }
    const database = createDatabase({ driver: 'pg', connectionString: testDatabaseUrl() }, { pg: load })
    try {
      await expect(sql`select 1`.execute(database.db)).rejects.toThrow('injected')
      expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([{ one: 1 }])
      expect(loads).toBe(2)
    } finally {
      await database.dispose()
    }
  })
})
