/**
 * The scheduled purge of expired idempotency keys under a role that row-level
 * security binds (FORCE binds the tables' owner too): it used to delete
 * nothing and say nothing, so the table grew forever. Now it says it could not
 * see the keys; under a role that bypasses RLS it deletes them.
 */
import { documentsMigrations } from '@serverless-dal/documents'
import { createDatabase, migrateToLatest, purgeExpiredIdempotencyKeys } from '@serverless-dal/repository'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'

let scratch: ScratchDatabase
beforeAll(async () => {
  scratch = await createScratchDatabase('purge')
})
afterAll(() => scratch?.drop())

describe('the idempotency purge', () => {
  it('says when its role cannot see other organizations’ keys, and deletes them when it can', async () => {
    // one connection, so a session-level SET ROLE binds every statement after it
    const database = createDatabase({ driver: 'pg', connectionString: scratch.url, maxConnections: 1 }, { pg })
    try {
      await migrateToLatest(database.db, documentsMigrations)
      await sql`insert into organizations (id, name) values ('purged', 'purged')`.execute(database.db)
      await sql`insert into idempotency_keys (organization_id, key, request_hash, result, expires_at)
        values ('purged', 'old', 'h', '[]', now() - interval '1 day')`.execute(database.db)

      await sql`set role dal_app`.execute(database.db)
      expect(await purgeExpiredIdempotencyKeys(database.db)).toEqual({ purged: 0, bypassesRls: false })
      await sql`reset role`.execute(database.db)

      expect(await purgeExpiredIdempotencyKeys(database.db)).toEqual({ purged: 1, bypassesRls: true })
      const { rows } = await sql<{ n: string }>`select count(*) as n from idempotency_keys`.execute(database.db)
      expect(Number(rows[0]?.n)).toBe(0)
    } finally {
      await database.dispose()
    }
  })
})
