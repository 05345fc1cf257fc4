/**
 * Real Postgres for integration tests: the server named by TEST_DATABASE_URL
 * (default: the local one), with a scratch database per suite so suites run in
 * parallel and a migration test starts from an empty database.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
}

export async function assertPostgresReachable(url = testDatabaseUrl()): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
  } catch (error) {
    const where = new URL(url)
    throw new Error(
      `Integration tests need PostgreSQL at ${where.host} (TEST_DATABASE_URL), and it did not answer: ${(error as Error).message}.\n` +
        'Start it (on these machines: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.',
      { cause: error },
    )
  } finally {
    await client.end().catch(() => {})
  }
}

export interface ScratchDatabase {
  readonly name: string
  readonly url: string
  drop(): Promise<void>
}

/** Creates an empty database on the test server; `drop()` removes it even with sessions open. */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `t_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase()
  const url = new URL(testDatabaseUrl())
  await admin(url.href, `create database "${name}"`)
  url.pathname = `/${name}`
  return {
    name,
    url: url.href,
    drop: () => admin(testDatabaseUrl(), `drop database if exists "${name}" with (force)`),
  }
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
