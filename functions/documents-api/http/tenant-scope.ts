/**
 * The request scope: the token's tenant, its repositories (through the
 * isolate's factory) and the request's metrics invocation, available to routes
 * as `c.get('repos')`. Ended after the route: on Workers through `waitUntil`, so
 * cache refreshes and the per-request database finish after the response.
 */
import type { CacheTier, InvocationMetrics, RepositoryFactory, TenantRepositories } from '@serverless-dal/repository'
import type { MiddlewareHandler } from 'hono'
import { type Deferral, waitUntilOf } from './after-response.ts'
import type { AuthVariables } from './auth.ts'

export type ScopeVariables = AuthVariables & {
  repos: TenantRepositories
  metrics: InvocationMetrics
  /** The cache tiers configured, for `Cache-Status`. */
  cacheTiers: readonly CacheTier[]
}

export function tenantScope(
  factory: RepositoryFactory,
  deferral: Deferral,
): MiddlewareHandler<{ Variables: ScopeVariables }> {
  const cacheTiers = factory.cache?.tiers ?? []
  return async (c, next) => {
    const waitUntil = waitUntilOf(c, deferral)
    c.set('cacheTiers', cacheTiers)
    const repos = factory.forTenant(c.get('scope'), { metrics: c.get('metrics'), ...(waitUntil && { waitUntil }) })
    c.set('repos', repos)
    try {
      await next()
    } finally {
      if (waitUntil) waitUntil(repos.dispose())
      else await repos.dispose()
    }
  }
}
