/**
 * `npm run db:migrate [-- up|down|status]`: applies (or reverts one of) the
 * documents schema's migrations to DATABASE_URL, with the driver the functions would
 * use on Node (`DATABASE_DRIVER` overrides): node-postgres for a plain
 * Postgres, the Neon driver for Neon or the local stand-in (NEON_WS_PROXY).
 * Migrations hold one session throughout, so the HTTP-only drivers migrate
 * over Neon's WebSockets instead. Without DATABASE_URL it works on the
 * embedded PGlite in PGLITE_DATA_DIR.
 */

import { documentsMigrations } from '@serverless-dal/documents'
import {
  appliedMigrations,
  createDatabase,
  databaseConfigFromEnv,
  migrateDown,
  migrateToLatest,
  withSessions,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { pgliteDriver } from '@serverless-dal/repository/pglite'
import pg from 'pg'

const command = process.argv[2] ?? 'up'
if (!['up', 'down', 'status'].includes(command)) {
  console.error('usage: npm run db:migrate -- [up|down|status]')
  process.exit(2)
}
if (!process.env.DATABASE_URL && !process.env.PGLITE_DATA_DIR) {
  console.error('Set DATABASE_URL (or PGLITE_DATA_DIR for the embedded database); `npm run services` prints one.')
  process.exit(2)
}

let database: ReturnType<typeof createDatabase>
try {
  const config = withSessions(databaseConfigFromEnv(process.env, { runtime: 'node' }))
  database = createDatabase(config, { drivers: [neonDrivers, pgliteDriver], pg })
} catch (error) {
  console.error(`db:migrate: ${(error as Error).message}`)
  process.exit(2)
}
try {
  if (command === 'up') {
    const ran = await migrateToLatest(database.db, documentsMigrations)
    console.log(ran.length ? ran.map((r) => `applied ${r.migrationName}`).join('\n') : 'already up to date')
  } else if (command === 'down') {
    const ran = await migrateDown(database.db, documentsMigrations)
    console.log(ran.length ? ran.map((r) => `reverted ${r.migrationName}`).join('\n') : 'nothing to revert')
  } else {
    const applied = new Set(await appliedMigrations(database.db, documentsMigrations))
    for (const name of Object.keys(documentsMigrations))
      console.log(`${applied.has(name) ? 'applied' : 'pending'}  ${name}`)
  }
} catch (error) {
  console.error(`db:migrate ${command} failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await database.dispose()
}
