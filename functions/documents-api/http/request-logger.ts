/**
 * Each request's logger, as `c.get('logger')`: the isolate's logger for this
 * invocation, so every line the request writes carries its ids — the
 * server's request id (`function_request_id`; on Lambda Powertools takes it
 * from the Lambda context, with the cold start), the client's correlation id
 * when it sent a usable one (`correlation_id`), and the route (`route`, the
 * registered path, never the raw URL). The tenant scope adds the
 * organization (`orgId`) once the token names it, and hands the logger to
 * the repositories, whose slow-query and failure lines then carry all four.
 *
 * At DEBUG each request also writes one line when it is answered, with its
 * status and duration; at INFO and above a request that goes well writes
 * nothing (its metrics line says it happened).
 */
import type { InvocationLogger, LambdaContextLike, StructuredLogger } from '@serverless-dal/repository'
import type { Context, MiddlewareHandler } from 'hono'
import { type MetricsVariables, routeLabel } from '../request-metrics.ts'

export type LoggerVariables = { logger: StructuredLogger }

export function requestLogger(
  logger: InvocationLogger,
): MiddlewareHandler<{ Variables: MetricsVariables & LoggerVariables }> {
  return async (c, next) => {
    const started = Date.now()
    const correlationId = c.get('correlationId')
    const lambdaContext = lambdaContextOf(c)
    const log = logger
      .forInvocation({
        requestId: c.get('requestId'),
        ...(correlationId && { correlationId }),
        ...(lambdaContext && { lambdaContext }),
      })
      .child({ route: routeLabel(c) })
    c.set('logger', log)
    await next()
    // the request's logger as the route left it (with the organization, once known)
    c.get('logger').debug('request answered', { status: c.res.status, durationMs: Date.now() - started })
  }
}

/** Lambda's context object, which hono/aws-lambda passes as `c.env.lambdaContext`; undefined elsewhere. */
function lambdaContextOf(c: Context): LambdaContextLike | undefined {
  const context = (c.env as { lambdaContext?: Partial<LambdaContextLike> } | undefined)?.lambdaContext
  return typeof context?.awsRequestId === 'string' ? (context as LambdaContextLike) : undefined
}
