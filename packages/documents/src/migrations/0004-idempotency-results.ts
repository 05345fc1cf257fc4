/**
 * An idempotency key now remembers the result of the write it guarded (the
 * rows, as JSON), stored by the write's own statement, instead of an HTTP
 * response stored by a second one: the write and its key commit together in
 * one round trip, on every driver. Keys are short-lived (a day) and cannot be
 * converted, so existing ones are dropped: a retry of a write made before the
 * upgrade writes again. (TRUNCATE, not DELETE: row-level security is forced
 * on the table, and a DELETE by an owner that cannot bypass it removes
 * nothing.)
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    truncate idempotency_keys;
    alter table idempotency_keys
      drop column status_code,
      drop column response_body,
      drop column response_location,
      add column result text not null;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    truncate idempotency_keys;
    alter table idempotency_keys
      drop column result,
      add column status_code integer,
      add column response_body text,
      add column response_location text;
  `.execute(db)
}
