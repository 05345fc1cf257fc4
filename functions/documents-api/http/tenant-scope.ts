/**
 * The request scope: the token's tenant, its repositories (through the
 * isolate's factory) and the request's metrics invocation, available to routes
 * as `c.get('repos')`. Ended after the route, where the entry's deferral puts
 * it (`after-response.ts`): the scope's own background work — its deferred
 * cache store — and on Workers its database finish after the response. A
 * write's answer carries its `Consistency-Token`. The request's logger gets
 * the organization (`orgId`) and goes to the repositories with it.
 */
import type { DocumentsFactory, DocumentsScope } from '@serverless-dal/documents'
import type { CacheTier, InvocationMetrics } from '@serverless-dal/repository'
import type { MiddlewareHandler } from 'hono'
import { afterResponse, type Deferral } from './after-response.ts'
import type { AuthVariables } from './auth.ts'
import type { LoggerVariables } from './request-logger.ts'

export type ScopeVariables = AuthVariables & {
  repos: DocumentsScope
  metrics: InvocationMetrics
  /** The cache tiers configured, for `Cache-Status`. */
  cacheTiers: readonly CacheTier[]
}

export const CONSISTENCY_TOKEN = 'Consistency-Token'

/**
 * What a request asks of its reads: `Consistency-Token` (a write's token: see
 * nothing older than it), and `Cache-Control: no-cache` (from the database).
 */
function consistencyOf(headers: Headers): { consistencyToken?: string; consistency?: 'fresh' } {
  const token = headers.get(CONSISTENCY_TOKEN)
  const noCache = /(^|,)\s*no-cache\s*(,|$)/i.test(headers.get('cache-control') ?? '')
  return { ...(token && { consistencyToken: token }), ...(noCache && { consistency: 'fresh' as const }) }
}

export function tenantScope(
  factory: DocumentsFactory,
  deferral: Deferral,
): MiddlewareHandler<{ Variables: ScopeVariables & LoggerVariables }> {
  const cacheTiers = factory.cache?.tiers ?? []
  return async (c, next) => {
    const waitUntil = deferral(c)
    c.set('cacheTiers', cacheTiers)
    const logger = c.get('logger').child({ orgId: c.get('scope').orgId })
    c.set('logger', logger)
    const repos = factory.forTenant(c.get('scope'), {
      metrics: c.get('metrics'),
      logger,
      ...(waitUntil && { waitUntil }),
      ...consistencyOf(c.req.raw.headers),
    })
    c.set('repos', repos)
    try {
      await next()
      // the write's token: a client sends it back with its next reads to see this write everywhere
      const token = repos.consistencyToken
      if (token) c.res.headers.set(CONSISTENCY_TOKEN, token)
    } finally {
      await afterResponse(c, deferral, repos.dispose())
    }
  }
}
