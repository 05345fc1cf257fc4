/**
 * At most once per idempotency key, in the write's own round trip. The
 * statement that writes also inserts the key with what it wrote (its rows as
 * JSON), so the two commit together or not at all. The insert is a plain one:
 * a key in use makes the whole statement fail — for a duplicate sent in
 * parallel, once the first commits (it waits on the key's row) — and the
 * caller then reads the stored result instead. An expired key is deleted
 * first, in the same round trip, so it can be used again.
 */
import { type Kysely, sql } from 'kysely'
import { sqlState } from '../db/connection-errors.ts'
import type { Statement } from '../db/transport.ts'
import { ValidationError } from '../errors.ts'
import type { TableChain } from './table-db.ts'

/** What makes a create idempotent. */
export interface IdempotencyRequest {
  /** The client's `Idempotency-Key`: 1 to 255 visible ASCII characters. */
  key: string
  /** A hash of what the request asked for: the same key with another request is refused. */
  requestHash: string
  /** How long the key is remembered. @default 24 hours */
  ttlMs?: number
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600_000
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/
const KEY_CONSTRAINT = 'idempotency_keys_pkey'

export function validIdempotencyKey(key: string): string {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new ValidationError('an Idempotency-Key is 1 to 255 visible ASCII characters')
  }
  return key
}

/** Frees the key if it has expired; sent before the write, in the same round trip. */
export function releaseExpiredKey(orgId: string, key: string): Statement {
  return {
    sql: 'delete from idempotency_keys where organization_id = $1 and key = $2 and expires_at <= now()',
    parameters: [orgId, key],
  }
}

/**
 * Adds to a write's chain of CTEs the insert that remembers the rows of CTE
 * `resultTable` under the key (explicit casts: an INSERT … SELECT does not
 * infer parameter types from its columns).
 */
export function rememberResult(chain: TableChain, resultTable: string, orgId: string, request: IdempotencyRequest) {
  const expiresAt = new Date(Date.now() + (request.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS))
  return chain.with('idempotencyRemembered', (qc) =>
    qc
      .insertInto('idempotencyKeys')
      .columns(['organizationId', 'key', 'requestHash', 'expiresAt', 'result'])
      .expression(
        qc
          .selectFrom(resultTable)
          .select([
            sql<string>`${orgId}::text`.as('organizationId'),
            sql<string>`${request.key}::text`.as('key'),
            sql<string>`${request.requestHash}::text`.as('requestHash'),
            sql<Date>`${expiresAt}::timestamptz`.as('expiresAt'),
            sql<string>`coalesce(json_agg(${sql.table(resultTable)}), '[]')::text`.as('result'),
          ]),
      ),
  )
}

/** True when a write failed because its idempotency key is in use (its result is stored). */
export function isKeyInUse(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause ?? error
  return sqlState(cause) === '23505' && (cause as { constraint?: unknown }).constraint === KEY_CONSTRAINT
}

/** The stored result of a key: the request's hash and the rows, keys still snake_case. */
export async function storedResult<DB>(
  db: Kysely<DB>,
  orgId: string,
  key: string,
): Promise<{ requestHash: string; rows: Record<string, unknown>[] } | undefined> {
  const { rows } = await sql<{ requestHash: string; result: string }>`
    select request_hash, result from idempotency_keys where organization_id = ${orgId} and key = ${key}`.execute(db)
  const stored = rows[0]
  return stored && { requestHash: stored.requestHash, rows: JSON.parse(stored.result) }
}

/**
 * A row as `rememberResult` stored it (the database's JSON: snake_case keys,
 * timestamps as text) in the shape Kysely reads rows: camelCase keys, the
 * `timestamps` columns as dates.
 */
export function rowFromStored(stored: Record<string, unknown>, timestamps: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(stored)) row[camelCase(key)] = value
  for (const column of timestamps) {
    if (typeof row[column] === 'string') row[column] = new Date(row[column] as string)
  }
  return row
}

const camelCase = (name: string) => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())

/** What a purge did: the keys it deleted, and whether its role could see every organization's. */
export interface PurgeResult {
  purged: number
  /** False when the role is bound by row-level security (FORCE binds the owner too): it deletes nothing. */
  bypassesRls: boolean
}

/**
 * Deletes expired keys of every organization (maintenance). Only a role that
 * bypasses row-level security sees them all; under any other the delete
 * would silently match nothing, so the purge says so instead. One statement.
 */
export async function purgeExpiredIdempotencyKeys<DB>(db: Kysely<DB>): Promise<PurgeResult> {
  const { rows } = await sql<{ bypassesRls: boolean; purged: number | string }>`
    with role as (select rolsuper or rolbypassrls as bypasses from pg_roles where rolname = current_user),
    purged as (
      delete from idempotency_keys where expires_at <= now() and (select bypasses from role) returning 1
    )
    select coalesce((select bypasses from role), false) as bypasses_rls, (select count(*) from purged) as purged
  `.execute(db)
  return { purged: Number(rows[0]?.purged ?? 0), bypassesRls: rows[0]?.bypassesRls === true }
}
