/** `TransactionDuration`: how long a transaction the caller opened took, its retries included. */
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'

export async function measuredTransaction<T>(metrics: InvocationMetrics, transaction: () => Promise<T>): Promise<T> {
  if (!metrics.enabled) return transaction()
  const started = metrics.now()
  try {
    return await transaction()
  } finally {
    metrics.duration('TransactionDuration', {}, metrics.now() - started)
  }
}
