/**
 * The scheduled run (Workers cron, EventBridge): maintenance that belongs to
 * no request. It deletes expired idempotency keys (the connection role must
 * bypass row-level security, as for `rowLevelSecurity: false`). Its metrics
 * are one invocation, flushed in `finally` whatever happens.
 */
import { type DatabaseLifetime, purgeExpiredIdempotencyKeys, type RepositoryMetrics } from '@serverless-dal/repository'

export interface ScheduledResult {
  purgedIdempotencyKeys: number
}

export async function runScheduled(
  databases: DatabaseLifetime,
  metrics: RepositoryMetrics,
  trigger: string,
): Promise<ScheduledResult> {
  const invocation = metrics.startInvocation({ trigger })
  const started = invocation.now()
  const lease = databases.lease()
  try {
    const purged = await purgeExpiredIdempotencyKeys(lease.database.db)
    invocation.count('IdempotencyKeysPurged', undefined, purged)
    console.log(JSON.stringify({ level: 'info', message: 'scheduled run', trigger, purgedIdempotencyKeys: purged }))
    return { purgedIdempotencyKeys: purged }
  } catch (error) {
    invocation.count('ScheduledRunFailed')
    console.error(
      JSON.stringify({ level: 'error', message: 'scheduled run failed', trigger, reason: (error as Error)?.message }),
    )
    throw error
  } finally {
    invocation.duration('ScheduledRunDuration', {}, invocation.now() - started)
    await lease.release()
    invocation.flush()
  }
}
