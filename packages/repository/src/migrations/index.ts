/**
 * Applies your migrations with Kysely's Migrator.
 *
 * Migrations are handed over as an object, not read from a folder, so the same
 * code migrates from a Node CLI, a Lambda, or a Worker bundle that has no file
 * system. Names sort in the order they apply.
 *
 * ```ts
 * const migrations = { '0001-projects': { up: async (db) => { await createTenancyTables(db); … } } }
 * await migrateToLatest(database.db, migrations)
 * ```
 */
import type { Kysely } from 'kysely'
import { type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely/migration'
import { type DatabaseConfig, withSessions } from '../db/config.ts'
import { type CreateDatabaseOptions, createDatabase, type Database } from '../db/create-database.ts'

/** Every migration, by name. */
export type Migrations = Readonly<Record<string, Migration>>

/** Raised when a migration fails; `results` says which ones ran before it. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError'
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

function migratorFor<DB>(db: Kysely<DB>, migrations: Migrations): Migrator {
  // Plugins (camelCase mapping) are for application queries, not for DDL.
  return new Migrator({ db: db.withoutPlugins(), provider: { getMigrations: async () => migrations } })
}

function unwrap(resultSet: MigrationResultSet, action: string): NonNullable<MigrationResultSet['results']> {
  if (resultSet.error !== undefined) {
    const failed = resultSet.results?.find((r) => r.status === 'Error')?.migrationName
    throw new MigrationError(
      `${action} failed${failed ? ` at ${failed}` : ''}: ${String((resultSet.error as Error)?.message ?? resultSet.error)}`,
      resultSet.results,
      { cause: resultSet.error },
    )
  }
  return resultSet.results ?? []
}

/** Applies every pending migration; returns what ran (empty when already current). */
export async function migrateToLatest<DB>(db: Kysely<DB>, migrations: Migrations) {
  return unwrap(await migratorFor(db, migrations).migrateToLatest(), 'migrate to latest')
}

/**
 * Applies every pending migration to the database `config` names. Migrations
 * hold one session throughout (Kysely takes a session-level lock), so where
 * `database` sends statements over HTTP (`neon`, `neon-http`) they run on a
 * short-lived WebSocket pool instead; elsewhere on `database` itself.
 */
export async function migrateConfigured<DB>(
  config: DatabaseConfig,
  database: Database<DB>,
  migrations: Migrations,
  options: CreateDatabaseOptions = {},
) {
  const sessions = withSessions(config)
  if (sessions === config) return migrateToLatest(database.db, migrations)
  const migrator = createDatabase(sessions, options)
  try {
    return await migrateToLatest(migrator.db, migrations)
  } finally {
    await migrator.dispose()
  }
}

/** Reverts the most recent migration (one step down). */
export async function migrateDown<DB>(db: Kysely<DB>, migrations: Migrations) {
  return unwrap(await migratorFor(db, migrations).migrateDown(), 'migrate down')
}

/** Reverts every migration, leaving an empty schema. */
export async function migrateToEmpty<DB>(db: Kysely<DB>, migrations: Migrations) {
  return unwrap(await migratorFor(db, migrations).migrateTo(NO_MIGRATIONS), 'migrate to empty')
}

/** Names of the migrations applied to this database, oldest first. */
export async function appliedMigrations<DB>(db: Kysely<DB>, migrations: Migrations): Promise<string[]> {
  const all = await migratorFor(db, migrations).getMigrations()
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name)
}
