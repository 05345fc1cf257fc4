/** Migrations up, down, and up again, on an empty database and on PGlite. */

import { documentsMigrations } from '@serverless-dal/documents'
import { startNeonStandIn } from '@serverless-dal/local-services'
import {
  appliedMigrations,
  createDatabase,
  type Database,
  migrateDown,
  migrateToEmpty,
  migrateToLatest,
} from '@serverless-dal/repository'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { allDrivers } from '../support/drivers.ts'
import { createScratchDatabase } from '../support/postgres.ts'

const TABLES = [
  'document_links',
  'document_topics',
  'documents',
  'idempotency_keys',
  'organizations',
  'summaries',
  'topics',
]
const TABLES_BEFORE_IDEMPOTENCY = TABLES.filter((table) => table !== 'idempotency_keys')

async function userTables(database: Database): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_name not like 'kysely_%' order by 1`.execute(database.db)
  return rows.map((row) => row.name)
}

async function policies(database: Database): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select tablename || '.' || policyname as name from pg_policies where schemaname = 'public' order by 1`.execute(
    database.db,
  )
  return rows.map((row) => row.name)
}

const POLICIES = TABLES.map((table) => `${table}.${table}_tenant_isolation`)

async function upDownUp(database: Database) {
  expect(await userTables(database)).toEqual([])
  const up = await migrateToLatest(database.db, documentsMigrations)
  expect(up.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
    Object.keys(documentsMigrations).map((name) => [name, 'Up', 'Success']),
  )
  expect(await userTables(database)).toEqual(TABLES)
  expect(await migrateToLatest(database.db, documentsMigrations)).toEqual([]) // idempotent

  expect(await policies(database)).toEqual(POLICIES)

  // one step down gives keys their response columns back, the next drops the keys, the next removes
  // row-level security and keeps the tables
  const down = await migrateDown(database.db, documentsMigrations)
  expect(down.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
    ['0004-idempotency-results', 'Down', 'Success'],
  ])
  expect(await userTables(database)).toEqual(TABLES)
  await migrateDown(database.db, documentsMigrations)
  expect(await userTables(database)).toEqual(TABLES_BEFORE_IDEMPOTENCY)
  await migrateDown(database.db, documentsMigrations)
  expect(await policies(database)).toEqual([])
  expect(await userTables(database)).toEqual(TABLES_BEFORE_IDEMPOTENCY)

  // all the way down leaves an empty schema
  await migrateToEmpty(database.db, documentsMigrations)
  expect(await userTables(database)).toEqual([])
  expect(await appliedMigrations(database.db, documentsMigrations)).toEqual([])

  await migrateToLatest(database.db, documentsMigrations)
  expect(await userTables(database)).toEqual(TABLES)
  expect(await policies(database)).toEqual(POLICIES)
  expect(await appliedMigrations(database.db, documentsMigrations)).toEqual(Object.keys(documentsMigrations))
}

describe('migrations', () => {
  it('go up, down and up again on an empty Postgres database through the Neon driver', async () => {
    const scratch = await createScratchDatabase('migrations')
    const neon = await startNeonStandIn({ upstreamUrl: scratch.url })
    const database = createDatabase(
      {
        driver: 'neon-pool',
        connectionString: scratch.url,
        proxy: { webSocketUrl: neon.webSocketUrl },
      },
      allDrivers,
    )
    try {
      await upDownUp(database)
    } finally {
      await database.dispose()
      await neon.close()
      await scratch.drop()
    }
  })

  it('go up, down and up again on PGlite', async () => {
    const database = createDatabase({ driver: 'pglite' }, allDrivers)
    try {
      await upDownUp(database)
    } finally {
      await database.dispose()
    }
  })
})
