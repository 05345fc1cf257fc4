/**
 * How one repository operation runs: the role is checked, the work runs in
 * the tenant's session (a read batch, a one-statement write, or inside the
 * open transaction) with its statements watched for slowness, and every
 * failure becomes a repository error that names the repository and the
 * operation — logged when it is an incident rather than an answer.
 */
import type { Kysely } from 'kysely'
import { DatabaseUnreachableError } from '../db/connection-errors.ts'
import { toRepositoryError } from '../error-mapping.ts'
import { RepositoryError, TransientError } from '../errors.ts'
import { SlowQueryDetector } from '../metrics/slow-query-detector.ts'
import type { TenantSession } from '../session/tenant-session.ts'
import { assertCan, type Permission } from '../tenancy/scope.ts'

export interface OperationName {
  repository: string
  operation: string
}

/**
 * Runs `body` — which runs the operation in `session` — with its statements
 * watched: `watch(db)` is the handle whose statements are timed.
 */
export async function runOperation<DB, T>(
  session: TenantSession<DB>,
  name: OperationName,
  permission: Permission,
  body: (watch: (db: Kysely<DB>) => Kysely<DB>) => Promise<T>,
): Promise<T> {
  const { metrics, settings, scope } = session
  const slowQueries = new SlowQueryDetector({ ...name, orgId: scope.orgId, metrics, logger: settings.logger })
  try {
    assertCan(scope, permission, name)
    return await body((db) => db.withPlugin(slowQueries))
  } catch (error) {
    const mapped = toRepositoryError(error, name)
    report(session, mapped, name)
    throw mapped
  } finally {
    slowQueries.finish()
  }
}

function report<DB>(session: TenantSession<DB>, error: RepositoryError, name: OperationName): void {
  // Client mistakes (not found, conflict, validation, forbidden) are answers, not incidents.
  if (error.constructor !== RepositoryError && !(error instanceof TransientError)) return
  const cause = error.cause as { code?: unknown } | undefined
  session.settings.logger[error instanceof TransientError ? 'warn' : 'error'](error.message, {
    ...name,
    orgId: session.scope.orgId,
    error: error.name,
    code: typeof cause?.code === 'string' ? cause.code : undefined,
    // a connection that could not be opened says where and why (never row data)
    ...(cause instanceof DatabaseUnreachableError && { reason: cause.message }),
  })
}
