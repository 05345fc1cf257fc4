/**
 * The isolate's metrics for an entry: Powertools EMF on stdout, configured by
 * the Powertools variables (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME,
 * POWERTOOLS_METRICS_DISABLED) with defaults that keep Powertools from warning,
 * and SLOW_QUERY_MS for the slow-query threshold. A failure to publish is
 * logged on the service's logger.
 */
import { type Logger, RepositoryMetrics } from '@serverless-dal/repository'
import { PowertoolsMetricsSink } from '@serverless-dal/repository/powertools'
import type { ServiceConfig } from './config/load-config.ts'

type MetricsConfig = Pick<
  ServiceConfig,
  'POWERTOOLS_METRICS_DISABLED' | 'POWERTOOLS_METRICS_NAMESPACE' | 'POWERTOOLS_SERVICE_NAME' | 'SLOW_QUERY_MS'
>

export function metricsFromConfig(config: MetricsConfig, logger?: Logger): RepositoryMetrics {
  const common = { ...(config.SLOW_QUERY_MS && { slowQueryMs: config.SLOW_QUERY_MS }), ...(logger && { logger }) }
  // disabled: no sink at all, so nothing is recorded either (Powertools would only drop the output)
  if (config.POWERTOOLS_METRICS_DISABLED) return new RepositoryMetrics(common)
  return new RepositoryMetrics({
    sink: new PowertoolsMetricsSink({
      namespace: config.POWERTOOLS_METRICS_NAMESPACE ?? 'ServerlessDal',
      serviceName: config.POWERTOOLS_SERVICE_NAME ?? 'documents-api',
    }),
    ...common,
  })
}
