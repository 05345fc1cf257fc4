/**
 * One metrics invocation per request: started before the route runs, handed
 * to it as `c.get('metrics')`, and flushed in a `finally` whatever the route did —
 * answered, failed (Hono turns the throw into a 500 first) or matched nothing.
 * The same middleware serves Workers, Lambda and Node, so each runtime flushes
 * once per request: on Workers through `ctx.waitUntil`, after the response.
 *
 * Request metrics carry the service dimension only — `Requests`,
 * `RequestDuration`, `ClientErrors` (4xx), `ServerErrors` (5xx), and from the
 * rate limit (`http/rate-limit.ts`) `RateLimited` (a 429, also a client
 * error) and `RateLimitFailOpen` (let through unchecked) — so they share
 * one EMF line with the other service-wide counts (cold start, transactions);
 * the route (the registered path, never the raw URL) goes to metadata. Each EMF
 * line costs CPU and log volume: a request prints one line plus one per
 * operation it ran.
 *
 * The request id is the server's: the platform's own where it has one (the
 * Lambda request id, Cloudflare's `cf-ray` on Workers), a fresh UUID
 * otherwise, answered as `X-Request-Id`. A client's `X-Request-Id` never
 * becomes it: it is kept, when it is a plain short token, as `correlationId`.
 */
import type { InvocationMetrics, RepositoryMetrics } from '@serverless-dal/repository'
import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { afterResponse, awaitBeforeReturning, type Deferral } from './http/after-response.ts'

export type MetricsVariables = { metrics: InvocationMetrics; requestId: string; correlationId: string | undefined }

const SERVICE_WIDE = Object.freeze({})

/** The request id the platform assigned, where it assigns one the caller cannot choose. */
export type PlatformRequestId = (c: Context) => string | undefined

export function requestMetrics(
  metrics: RepositoryMetrics,
  deferral: Deferral = awaitBeforeReturning,
  platformId: PlatformRequestId = () => undefined,
): MiddlewareHandler<{ Variables: MetricsVariables }> {
  return async (c, next) => {
    const id = platformId(c) ?? crypto.randomUUID()
    const header = c.req.header('x-request-id')
    const correlationId = header && CORRELATION.test(header) ? header : undefined
    const invocation = metrics.startInvocation({ requestId: id, ...(correlationId && { correlationId }) })
    c.set('metrics', invocation)
    c.set('requestId', id)
    c.set('correlationId', correlationId)
    const started = invocation.now()
    try {
      await next()
    } finally {
      answerWithId(c, id)
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

/** `GET /documents/:id`, or `unmatched` when only middleware ran (a 404); known before any middleware runs. */
export function routeLabel(c: Context): string {
  const path = routePath(c, -1)
  return path === '*' || path === '/*' ? 'unmatched' : `${c.req.method} ${path}`
}

/** `X-Request-Id` on the answer; a response whose headers are frozen (a fetched one) is copied first. */
function answerWithId(c: Context, id: string): void {
  try {
    c.res.headers.set('x-request-id', id)
  } catch {
    c.res = new Response(c.res.body, c.res)
    c.res.headers.set('x-request-id', id)
  }
}

/** A client's correlation id is kept only when it is a plain short token. */
const CORRELATION = /^[\w.:-]{1,128}$/

/** Lambda's own ids: the invocation's, else API Gateway's. */
export const lambdaRequestId: PlatformRequestId = (c) => {
  const env = c.env as
    | { lambdaContext?: { awsRequestId?: string }; event?: { requestContext?: { requestId?: string } } }
    | undefined
  return env?.lambdaContext?.awsRequestId ?? env?.event?.requestContext?.requestId
}

/** Cloudflare's ray id, which its edge sets on every request to a Worker. */
export const workersRequestId: PlatformRequestId = (c) => c.req.header('cf-ray')
