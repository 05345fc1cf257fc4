/**
 * Row-level security as a second wall behind the repositories' own
 * organization filter: a query that forgets it still sees one organization.
 * The role is cluster-wide and may serve other databases, so `down` revokes
 * what this database granted it and leaves the role itself in place.
 */
import { APP_ROLE, ORGANIZATION_SETTING } from '@serverless-dal/repository'
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

export async function up(db: Kysely<unknown>): Promise<void> {
  // Roles are cluster-wide: another database's migration may be creating the
  // same one right now, so both steps tolerate losing that race.
  await sql`
    do $$ begin
      if not exists (select from pg_roles where rolname = ${sql.lit(APP_ROLE)}) then
        begin
          create role ${role} nologin;
        exception when duplicate_object then null;
        end;
      end if;
      -- the login role must be able to SET ROLE to it (superusers already can)
      if not pg_has_role(current_user, ${sql.lit(APP_ROLE)}, 'member') then
        begin
          execute format('grant %I to %I', ${sql.lit(APP_ROLE)}, current_user);
        exception when duplicate_object or unique_violation then null;
        end;
      end if;
    end $$;
  `.execute(db)
  await sql`grant usage on schema public to ${role}`.execute(db)
  await sql`grant usage, select on all sequences in schema public to ${role}`.execute(db)
  for (const [table, column] of tables) {
    const t = sql.id(table)
    const owner = sql`${sql.id(column)} = current_setting(${sql.lit(ORGANIZATION_SETTING)}, true)`
    await sql`grant select, insert, update, delete on ${t} to ${role}`.execute(db)
    await sql`alter table ${t} enable row level security`.execute(db)
    await sql`alter table ${t} force row level security`.execute(db)
    await sql`create policy ${sql.id(`${table}_tenant_isolation`)} on ${t} using (${owner}) with check (${owner})`.execute(
      db,
    )
  }
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
