/** What the routes find on the context: the tenant's repositories, metrics, request id and logger. */
import type { LoggerVariables } from '../http/request-logger.ts'
import type { ScopeVariables } from '../http/tenant-scope.ts'
import type { MetricsVariables } from '../request-metrics.ts'

export type ApiEnv = { Variables: ScopeVariables & MetricsVariables & LoggerVariables }
