/**
 * The scheduled run (Workers cron, EventBridge, `npm run warm`): work that
 * belongs to no request. It deletes expired idempotency keys (the connection
 * role must bypass row-level security, as for `rowLevelSecurity: false`) and
 * runs the cache-warm job within `WARM_BUDGET_MS`. Its metrics are one
 * invocation, flushed in `finally` whatever happens, and it logs one
 * structured line with what it did.
 */
import { type DocumentsFactory, warmDocuments } from '@serverless-dal/documents'
import {
  type DatabaseLifetime,
  purgeExpiredIdempotencyKeys,
  type RepositoryMetrics,
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
}

export async function runScheduled(
  { databases, factory, metrics }: ScheduledService,
  trigger: string,
  warmOptions: Omit<WarmOptions, 'metrics'> = {},
): Promise<ScheduledResult> {
  const invocation = metrics.startInvocation({ trigger })
  const started = invocation.now()
  const lease = databases.lease()
  try {
    const purge = await purgeExpiredIdempotencyKeys(lease.database.db).catch((error: Error) => {
      invocation.count('ScheduledPurgeFailed')
      console.error(
        JSON.stringify({ level: 'error', message: 'purging idempotency keys failed', reason: error.message }),
      )
      return { purged: 0, bypassesRls: true }
    })
    const purged = purge.purged
    invocation.count('IdempotencyKeysPurged', undefined, purged)
    if (!purge.bypassesRls) {
      // once per run: the keys grow until the purge runs as a role that may see every organization
      invocation.count('IdempotencyPurgeSkipped')
      console.warn(
        JSON.stringify({
          level: 'warn',
          message: "the purge's role cannot bypass row-level security: expired idempotency keys are kept",
          fix: 'run the scheduled function with a role that has BYPASSRLS (or a superuser)',
        }),
      )
    }
    const warm = await warmDocuments(factory, { ...warmOptions, metrics: invocation })
    const result = { purgedIdempotencyKeys: purged, warm }
    console.log(JSON.stringify({ level: 'info', message: 'scheduled run', trigger, ...result }))
    return result
  } finally {
    invocation.duration('ScheduledRunDuration', {}, invocation.now() - started)
    await lease.release()
    invocation.flush()
  }
}
