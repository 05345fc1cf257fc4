/**
 * The isolate's metrics for an entry: CloudWatch EMF lines, written by the
 * emitter the entry chooses — `EmfMetricsSink` (the package's main entry, no
 * Powertools) by default, on Workers and Node; `PowertoolsMetricsSink`
 * (`@serverless-dal/repository/powertools`) on Lambda, which passes it. Both
 * write the same documents; this file imports no Powertools, so neither does
 * an entry that keeps the default. Configured by POWERTOOLS_METRICS_NAMESPACE
 * and POWERTOOLS_SERVICE_NAME (with defaults that keep Powertools from
 * warning), POWERTOOLS_METRICS_DISABLED (no sink at all), and SLOW_QUERY_MS
 * for the slow-query threshold. A failure to publish is logged on the
 * service's logger.
 */
import { EmfMetricsSink, type Logger, type MetricsSink, RepositoryMetrics } from '@serverless-dal/repository'
import type { ServiceConfig } from './config/load-config.ts'

type MetricsConfig = Pick<
  ServiceConfig,
  'POWERTOOLS_METRICS_DISABLED' | 'POWERTOOLS_METRICS_NAMESPACE' | 'POWERTOOLS_SERVICE_NAME' | 'SLOW_QUERY_MS'
>

/** A sink class taking the namespace and service: `EmfMetricsSink`, or `PowertoolsMetricsSink` on Lambda. */
export type MetricsEmitter = new (options: { namespace: string; serviceName: string }) => MetricsSink

export function metricsFromConfig(
  config: MetricsConfig,
  logger?: Logger,
  emitter: MetricsEmitter = EmfMetricsSink,
): RepositoryMetrics {
  const common = { ...(config.SLOW_QUERY_MS && { slowQueryMs: config.SLOW_QUERY_MS }), ...(logger && { logger }) }
  // disabled: no sink at all, so nothing is recorded either
  if (config.POWERTOOLS_METRICS_DISABLED) return new RepositoryMetrics(common)
  return new RepositoryMetrics({
    sink: new emitter({
      namespace: config.POWERTOOLS_METRICS_NAMESPACE ?? 'ServerlessDal',
      serviceName: config.POWERTOOLS_SERVICE_NAME ?? 'documents-api',
    }),
    ...common,
  })
}
