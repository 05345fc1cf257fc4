/**
 * The isolate's metrics for an entry: Powertools EMF on stdout, configured by
 * the Powertools variables (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME,
 * POWERTOOLS_METRICS_DISABLED) with defaults that keep Powertools from warning,
 * and SLOW_QUERY_MS for the slow-query threshold.
 */
import { RepositoryMetrics } from '@serverless-dal/repository'
import { PowertoolsMetricsSink } from '@serverless-dal/repository/powertools'

export interface MetricsEnv {
  /** `true`: no sink at all, so nothing is recorded either (Powertools would only drop the output). */
  POWERTOOLS_METRICS_DISABLED?: string
  POWERTOOLS_METRICS_NAMESPACE?: string
  POWERTOOLS_SERVICE_NAME?: string
  SLOW_QUERY_MS?: string
}

export function metricsFromEnv(env: MetricsEnv): RepositoryMetrics {
  const slowQueryMs = Number(env.SLOW_QUERY_MS)
  const threshold = Number.isFinite(slowQueryMs) && slowQueryMs > 0 ? { slowQueryMs } : {}
  if (env.POWERTOOLS_METRICS_DISABLED?.toLowerCase() === 'true') return new RepositoryMetrics(threshold)
  return new RepositoryMetrics({
    sink: new PowertoolsMetricsSink({
      namespace: env.POWERTOOLS_METRICS_NAMESPACE || 'ServerlessDal',
      serviceName: env.POWERTOOLS_SERVICE_NAME || 'documents-api',
    }),
    ...threshold,
  })
}
