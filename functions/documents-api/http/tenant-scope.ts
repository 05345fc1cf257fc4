/**
 * The request scope: the token's tenant, its repositories (through the
 * isolate's factory) and the request's metrics invocation, available to routes
 * as `c.get('repos')`. Ended after the route, where the entry's deferral puts
 * it (`after-response.ts`): the scope's own background work — its deferred
 * cache store — and on Workers its database finish after the response.
 */
import type { DocumentsFactory, DocumentsScope } from '@serverless-dal/documents'
import type { CacheTier, InvocationMetrics } from '@serverless-dal/repository'
import type { MiddlewareHandler } from 'hono'
import { afterResponse, type Deferral } from './after-response.ts'
import type { AuthVariables } from './auth.ts'

export type ScopeVariables = AuthVariables & {
  repos: DocumentsScope
  metrics: InvocationMetrics
  /** The cache tiers configured, for `Cache-Status`. */
  cacheTiers: readonly CacheTier[]
}

export function tenantScope(
  factory: DocumentsFactory,
  deferral: Deferral,
): MiddlewareHandler<{ Variables: ScopeVariables }> {
  const cacheTiers = factory.cache?.tiers ?? []
  return async (c, next) => {
    const waitUntil = deferral(c)
    c.set('cacheTiers', cacheTiers)
    const repos = factory.forTenant(c.get('scope'), { metrics: c.get('metrics'), ...(waitUntil && { waitUntil }) })
    c.set('repos', repos)
    try {
      await next()
    } finally {
      await afterResponse(c, deferral, repos.dispose())
    }
  }
}
