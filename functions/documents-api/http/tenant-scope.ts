/**
 * The request scope: the token's tenant, its repositories (through the
 * isolate's factory) and the request's metrics invocation, available to routes
 * as `c.var.repos`. Ended after the route: on Workers through `waitUntil`, so
 * cache refreshes and the per-request database finish after the response.
 */
import type { InvocationMetrics, RepositoryFactory, TenantRepositories } from '@serverless-dal/repository'
import type { MiddlewareHandler } from 'hono'
import { afterResponse, waitUntilOf } from './after-response.ts'
import type { AuthVariables } from './auth.ts'

export type ScopeVariables = AuthVariables & { repos: TenantRepositories; metrics: InvocationMetrics }

export function tenantScope(factory: RepositoryFactory): MiddlewareHandler<{ Variables: ScopeVariables }> {
  return async (c, next) => {
    const waitUntil = waitUntilOf(c)
    const repos = factory.forTenant(c.var.scope, { metrics: c.var.metrics, ...(waitUntil && { waitUntil }) })
    c.set('repos', repos)
    try {
      await next()
    } finally {
      await afterResponse(c, repos.dispose())
    }
  }
}
