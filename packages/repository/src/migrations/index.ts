/**
 * Applies the package's migrations with Kysely's Migrator.
 *
 * Migrations are imported statically, not read from a folder, so the same code
 * migrates from a Node CLI, a Lambda, or a Worker bundle that has no file system.
 */
import type { Kysely } from 'kysely'
import { type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely/migration'
import { type DatabaseConfig, withSessions } from '../db/config.ts'
import { type CreateDatabaseOptions, createDatabase, type Database } from '../db/create-database.ts'
import * as initialSchema from './0001-initial-schema.ts'
import * as rowLevelSecurity from './0002-row-level-security.ts'
import * as idempotencyKeys from './0003-idempotency-keys.ts'
import * as idempotencyResults from './0004-idempotency-results.ts'

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial-schema': initialSchema,
  '0002-row-level-security': rowLevelSecurity,
  '0003-idempotency-keys': idempotencyKeys,
  '0004-idempotency-results': idempotencyResults,
}

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

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped DDL, so a database of any type will do
type AnyKysely = Kysely<any>

function migratorFor(db: AnyKysely): Migrator {
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
export async function migrateToLatest(db: AnyKysely) {
  return unwrap(await migratorFor(db).migrateToLatest(), 'migrate to latest')
}

/**
 * Applies every pending migration to the database `config` names. Migrations
 * hold one session throughout (Kysely takes a session-level lock), so where
 * `database` sends statements over HTTP (`neon`, `neon-http`) they run on a
 * short-lived WebSocket pool instead; elsewhere on `database` itself.
 */
export async function migrateConfigured(
  config: DatabaseConfig,
  database: Database,
  options: CreateDatabaseOptions = {},
) {
  const sessions = withSessions(config)
  if (sessions === config) return migrateToLatest(database.db)
  const migrator = createDatabase(sessions, options)
  try {
    return await migrateToLatest(migrator.db)
  } finally {
    await migrator.dispose()
  }
}

/** Reverts the most recent migration (one step down). */
export async function migrateDown(db: AnyKysely) {
  return unwrap(await migratorFor(db).migrateDown(), 'migrate down')
}

/** Reverts every migration, leaving an empty schema. */
export async function migrateToEmpty(db: AnyKysely) {
  return unwrap(await migratorFor(db).migrateTo(NO_MIGRATIONS), 'migrate to empty')
}

/** Names of the migrations applied to this database, oldest first. */
export async function appliedMigrations(db: AnyKysely): Promise<string[]> {
  const all = await migratorFor(db).getMigrations()
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name)
}
