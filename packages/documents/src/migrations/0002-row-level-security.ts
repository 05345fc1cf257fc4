/**
 * Row-level security as a second wall behind the repositories' own
 * organization filter: a query that forgets it still sees one organization.
 * The role is cluster-wide and may serve other databases, so `down` revokes
 * what this database granted it and leaves the role itself in place.
 */
import { APP_ROLE, createAppRole, isolateTenantTable } from '@serverless-dal/repository'
import { type Kysely, sql } from 'kysely'

/** Tables whose rows belong to one organization, with the column that says which. */
const TENANT_TABLES = {
  organizations: 'id',
  documents: 'organization_id',
  topics: 'organization_id',
  document_topics: 'organization_id',
  document_links: 'organization_id',
  summaries: 'organization_id',
} as const

const role = sql.id(APP_ROLE)
const tables = Object.entries(TENANT_TABLES)

/** The role and each table's policy, as the package's tenancy helpers make them for any schema. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createAppRole(db)
  for (const [table, column] of tables) await isolateTenantTable(db, table, column)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table] of tables.reverse()) {
    const t = sql.id(table)
    await sql`drop policy ${sql.id(`${table}_tenant_isolation`)} on ${t}`.execute(db)
    await sql`alter table ${t} no force row level security`.execute(db)
    await sql`alter table ${t} disable row level security`.execute(db)
    await sql`revoke all on ${t} from ${role}`.execute(db)
  }
  await sql`revoke usage, select on all sequences in schema public from ${role}`.execute(db)
  await sql`revoke usage on schema public from ${role}`.execute(db)
}
