/**
 * The scheduled run (Workers cron, EventBridge, `npm run warm`): work that
 * belongs to no request. It deletes expired idempotency keys (the connection
 * role must bypass row-level security, as for `rowLevelSecurity: false`) and
 * runs the cache-warm job within `WARM_BUDGET_MS`. Its metrics are one
 * invocation, flushed in `finally` whatever happens, and it logs one
 * structured line with what it did (INFO), on its invocation's logger: the
 * run's own id (Lambda's request id where there is one), its cold start,
 * and the trigger.
 */
import { type DocumentsFactory, warmDocuments } from '@serverless-dal/documents'
import {
  type DatabaseLifetime,
  type InvocationLogger,
  purgeExpiredIdempotencyKeys,
  type RepositoryMetrics,
  type StructuredLogger,
  type WarmOptions,
  type WarmReport,
} from '@serverless-dal/repository'

export interface ScheduledResult {
  purgedIdempotencyKeys: number
  warm: WarmReport
}

export interface ScheduledService {
  databases: DatabaseLifetime
  factory: DocumentsFactory
  metrics: RepositoryMetrics
  logger: InvocationLogger
}

export async function runScheduled(
  { databases, factory, metrics, logger }: ScheduledService,
  trigger: string,
  warmOptions: Omit<WarmOptions, 'metrics'> = {},
  /** The run's logger, when the entry made it (Lambda's, with its context). @default one with a fresh id */
  invocationLogger: StructuredLogger = logger.forInvocation({ requestId: crypto.randomUUID() }),
): Promise<ScheduledResult> {
  const log = invocationLogger.child({ trigger })
  const invocation = metrics.startInvocation({ trigger })
  const started = invocation.now()
  const lease = databases.lease()
  try {
    const purge = await purgeExpiredIdempotencyKeys(lease.database.db).catch((error: Error) => {
      invocation.count('ScheduledPurgeFailed')
      log.error('purging idempotency keys failed', { error })
      return { purged: 0, bypassesRls: true }
    })
    const purged = purge.purged
    invocation.count('IdempotencyKeysPurged', undefined, purged)
    if (!purge.bypassesRls) {
      // once per run: the keys grow until the purge runs as a role that may see every organization
      invocation.count('IdempotencyPurgeSkipped')
      log.warn("the purge's role cannot bypass row-level security: expired idempotency keys are kept", {
        fix: 'run the scheduled function with a role that has BYPASSRLS (or a superuser)',
      })
    }
    const warm = await warmDocuments(factory, { ...warmOptions, metrics: invocation })
    const result = { purgedIdempotencyKeys: purged, warm }
    log.info('scheduled run', { ...result })
    return result
  } finally {
    invocation.duration('ScheduledRunDuration', {}, invocation.now() - started)
    await lease.release()
    invocation.flush()
  }
}
