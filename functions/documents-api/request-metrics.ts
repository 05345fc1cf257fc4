/**
 * One metrics invocation per request: started before the route runs, handed
 * to it as `c.get('metrics')`, and flushed in a `finally` whatever the route did —
 * answered, failed (Hono turns the throw into a 500 first) or matched nothing.
 * The same middleware serves Workers, Lambda and Node, so each runtime flushes
 * once per request: on Workers through `ctx.waitUntil`, after the response.
 *
 * Request metrics carry the service dimension only — `Requests`,
 * `RequestDuration`, `ClientErrors` (4xx), `ServerErrors` (5xx) — so they share
 * one EMF line with the other service-wide counts (cold start, transactions);
 * the route (the registered path, never the raw URL) goes to metadata. Each EMF
 * line costs CPU and log volume: a request prints one line plus one per
 * operation it ran.
 */
import type { InvocationMetrics, RepositoryMetrics } from '@serverless-dal/repository'
import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { afterResponse, awaitBeforeReturning, type Deferral } from './http/after-response.ts'

export type MetricsVariables = { metrics: InvocationMetrics; requestId: string }

const SERVICE_WIDE = Object.freeze({})

export function requestMetrics(
  metrics: RepositoryMetrics,
  deferral: Deferral = awaitBeforeReturning,
): MiddlewareHandler<{ Variables: MetricsVariables }> {
  return async (c, next) => {
    const id = requestId(c)
    const invocation = metrics.startInvocation({ requestId: id })
    c.set('metrics', invocation)
    c.set('requestId', id)
    const started = invocation.now()
    try {
      await next()
    } finally {
      invocation.addMetadata('route', routeLabel(c))
      invocation.count('Requests')
      invocation.duration('RequestDuration', SERVICE_WIDE, invocation.now() - started)
      if (c.res.status >= 500) invocation.count('ServerErrors')
      else if (c.res.status >= 400) invocation.count('ClientErrors')
      // On Workers and Node the lines are written after the response is on its way; on Lambda before returning.
      const flushed = Promise.resolve().then(() => invocation.flush())
      await afterResponse(c, deferral, flushed)
    }
  }
}

/** `GET /documents/:id`, or `unmatched` when only middleware ran (a 404). */
function routeLabel(c: Context): string {
  const path = routePath(c, -1)
  return path === '*' || path === '/*' ? 'unmatched' : `${c.req.method} ${path}`
}

/** The platform's request id where it gives one: Lambda's, Cloudflare's ray, or the caller's. */
function requestId(c: Context): string {
  const lambda = (c.env as { lambdaContext?: { awsRequestId?: string } } | undefined)?.lambdaContext
  return lambda?.awsRequestId ?? c.req.header('cf-ray') ?? c.req.header('x-request-id') ?? crypto.randomUUID()
}
