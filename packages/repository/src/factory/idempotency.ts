/**
 * At most once per idempotency key. The key is claimed with an INSERT in the
 * transaction that does the work, and the response is stored there too, so
 * either both commit or neither does. A duplicate sent in parallel blocks on
 * the key's row until the first commits, then reads the stored response; if
 * the first rolled back, the duplicate claims the key and does the work.
 */
import { type Kysely, sql } from 'kysely'
import { IdempotencyKeyReusedError, TransientError, ValidationError } from '../errors.ts'
import type { DB } from '../schema/database.ts'

/** What a repeated request gets back: the first one's status, body and location. */
export interface StoredResponse {
  status: number
  /** The body exactly as it was sent (JSON text). */
  body: string
  location?: string
}

export interface IdempotencyOptions {
  /** How long the key is remembered. @default 24 hours */
  ttlMs?: number
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600_000
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/

export function validIdempotencyKey(key: string): string {
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError('an Idempotency-Key is 1 to 255 visible ASCII characters')
  }
  return key
}

/** Claims `key` for this request; returns the stored response when it was claimed before. */
export async function claimKey(
  db: Kysely<DB>,
  orgId: string,
  key: string,
  requestHash: string,
  ttlMs: number,
): Promise<StoredResponse | undefined> {
  const expiresAt = new Date(Date.now() + ttlMs)
  const claimed = await db
    .insertInto('idempotencyKeys')
    .values({ organizationId: orgId, key, requestHash, expiresAt })
    .onConflict((oc) =>
      oc
        .columns(['organizationId', 'key'])
        // an expired key is free again
        .doUpdateSet({
          requestHash,
          statusCode: null,
          responseBody: null,
          responseLocation: null,
          createdAt: sql`now()`,
          expiresAt,
        })
        .where('idempotencyKeys.expiresAt', '<=', sql<Date>`now()`),
    )
    .returning('key')
    .executeTakeFirst()
  if (claimed) return undefined
  const stored = await db
    .selectFrom('idempotencyKeys')
    .select(['requestHash', 'statusCode', 'responseBody', 'responseLocation'])
    .where('organizationId', '=', orgId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow()
  if (stored.requestHash !== requestHash) {
    throw new IdempotencyKeyReusedError('this Idempotency-Key was used with a different request', {
      operation: 'idempotency',
    })
  }
  if (stored.statusCode === null || stored.responseBody === null) {
    throw new TransientError('the first request with this Idempotency-Key is still running', {
      operation: 'idempotency',
    })
  }
  return {
    status: stored.statusCode,
    body: stored.responseBody,
    ...(stored.responseLocation !== null && { location: stored.responseLocation }),
  }
}

export async function storeResponse(db: Kysely<DB>, orgId: string, key: string, response: StoredResponse) {
  await db
    .updateTable('idempotencyKeys')
    .set({ statusCode: response.status, responseBody: response.body, responseLocation: response.location ?? null })
    .where('organizationId', '=', orgId)
    .where('key', '=', key)
    .execute()
}

/** Deletes expired keys of every organization (maintenance; needs a role that bypasses RLS). */
export async function purgeExpiredIdempotencyKeys(db: Kysely<DB>): Promise<number> {
  const result = await db.deleteFrom('idempotencyKeys').where('expiresAt', '<=', sql<Date>`now()`).executeTakeFirst()
  return Number(result.numDeletedRows)
}
