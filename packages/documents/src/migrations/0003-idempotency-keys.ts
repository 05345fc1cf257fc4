/**
 * Idempotency keys: a POST with an `Idempotency-Key` claims the key in the
 * same transaction as its write and stores the response there, so a retry —
 * or a duplicate sent in parallel, which waits on the key's row — gets the
 * stored response and never writes twice. Rows expire; an expired key can be
 * claimed again, and the scheduled maintenance deletes expired rows.
 * Tenant-isolated like every other table (RLS policy, FORCE).
 */
import { APP_ROLE, ORGANIZATION_SETTING } from '@serverless-dal/repository'
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table idempotency_keys (
      organization_id text not null references organizations (id) on delete cascade,
      key text not null
        constraint idempotency_keys_key_length check (char_length(key) between 1 and 255),
      request_hash text not null,
      status_code integer,
      response_body text,
      response_location text,
      created_at timestamptz(3) not null default now(),
      expires_at timestamptz(3) not null,
      constraint idempotency_keys_pkey primary key (organization_id, key)
    );
    create index idempotency_keys_expiry_idx on idempotency_keys (expires_at);
  `.execute(db)
  const owner = sql`organization_id = current_setting(${sql.lit(ORGANIZATION_SETTING)}, true)`
  await sql`grant select, insert, update, delete on idempotency_keys to ${sql.id(APP_ROLE)}`.execute(db)
  await sql`alter table idempotency_keys enable row level security`.execute(db)
  await sql`alter table idempotency_keys force row level security`.execute(db)
  await sql`create policy idempotency_keys_tenant_isolation on idempotency_keys using (${owner}) with check (${owner})`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table idempotency_keys`.execute(db)
}
