/**
 * What a migration of yours calls to make its tables tenant tables, so the
 * repositories' guarantees hold for them too:
 *
 * ```ts
 * export async function up(db: Kysely<unknown>) {
 *   await createTenancyTables(db) // organizations, idempotency keys, the RLS role
 *   await sql`create table projects (id bigint generated always as identity primary key,
 *     organization_id text not null references organizations (id) on delete cascade, …)`.execute(db)
 *   await isolateTenantTable(db, 'projects')
 * }
 * ```
 *
 * Row-level security is the second wall behind the repositories' own
 * organization filter: a query that forgets it still sees one organization.
 * Sessions switch to `APP_ROLE`, a role that owns nothing, for each unit of
 * work; FORCE makes the policy bind the tables' owner too.
 */
import { type ColumnType, type Kysely, sql } from 'kysely'
import { APP_ROLE, ORGANIZATION_SETTING } from './row-level-security.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** The tables `createTenancyTables` makes: extend your `DB` with them. */
export interface TenancyTables {
  organizations: { id: string; name: string; createdAt: Timestamp }
  idempotencyKeys: {
    organizationId: string
    key: string
    requestHash: string
    result: string
    createdAt: Timestamp
    expiresAt: Date | string
  }
}

/** The RLS role, organizations (provisioned on a tenant's first write) and idempotency keys, each isolated. */
export async function createTenancyTables<DB>(db: Kysely<DB>): Promise<void> {
  await createAppRole(db)
  await sql`
    create table organizations (
      id text primary key constraint organizations_id_format check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
      name text not null constraint organizations_name_length check (char_length(name) between 1 and 200),
      created_at timestamptz(3) not null default now()
    );
    create table idempotency_keys (
      organization_id text not null references organizations (id) on delete cascade,
      key text not null constraint idempotency_keys_key_length check (char_length(key) between 1 and 255),
      request_hash text not null,
      result text not null,
      created_at timestamptz(3) not null default now(),
      expires_at timestamptz(3) not null,
      constraint idempotency_keys_pkey primary key (organization_id, key)
    );
    create index idempotency_keys_expiry_idx on idempotency_keys (expires_at);
  `.execute(db)
  await isolateTenantTable(db, 'organizations', 'id')
  await isolateTenantTable(db, 'idempotency_keys')
}

/**
 * Lets `APP_ROLE` use `table` and admits only the rows whose `column` is the
 * organization of the unit of work. Call it for every table of yours whose
 * rows belong to an organization.
 */
export async function isolateTenantTable<DB>(db: Kysely<DB>, table: string, column = 'organization_id'): Promise<void> {
  const t = sql.id(table)
  const owner = sql`${sql.id(column)} = current_setting(${sql.lit(ORGANIZATION_SETTING)}, true)`
  await sql`grant select, insert, update, delete on ${t} to ${sql.id(APP_ROLE)}`.execute(db)
  await sql`grant usage, select on all sequences in schema public to ${sql.id(APP_ROLE)}`.execute(db)
  await sql`alter table ${t} enable row level security`.execute(db)
  await sql`alter table ${t} force row level security`.execute(db)
  await sql`create policy ${sql.id(`${table}_tenant_isolation`)} on ${t} using (${owner}) with check (${owner})`.execute(
    db,
  )
}

/**
 * The role sessions switch to. Roles are cluster-wide: another database's
 * migration may be creating the same one right now, so both steps tolerate
 * losing that race.
 */
export async function createAppRole<DB>(db: Kysely<DB>): Promise<void> {
  await sql`
    do $$ begin
      if not exists (select from pg_roles where rolname = ${sql.lit(APP_ROLE)}) then
        begin
          create role ${sql.id(APP_ROLE)} nologin;
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
  await sql`grant usage on schema public to ${sql.id(APP_ROLE)}`.execute(db)
}
