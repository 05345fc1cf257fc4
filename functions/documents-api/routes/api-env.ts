/** What the routes find on the context: the tenant's repositories, metrics and request id. */
import type { ScopeVariables } from '../http/tenant-scope.ts'
import type { MetricsVariables } from '../request-metrics.ts'

export type ApiEnv = { Variables: ScopeVariables & MetricsVariables }
