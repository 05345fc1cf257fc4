/**
 * Errors as RFC 9457 problem details (`application/problem+json`). One
 * mapping from the package's error classes to statuses; anything else is a
 * 500 that carries the request id and nothing internal, and is logged with
 * the error's name, message and stack on the request's logger (its ids).
 */
import {
  ConflictError,
  ForbiddenError,
  ForeignKeyError,
  IdempotencyKeyReusedError,
  jsonConsoleLogger,
  NotFoundError,
  type StructuredLogger,
  TransientError,
  ValidationError,
} from '@serverless-dal/repository'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  requestId?: string
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function problemBody(status: number, detail: string, requestId?: string): ProblemBody {
  return {
    type: `https://serverless-dal.dev/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(requestId && { requestId }),
  }
}

export function problem(status: number, detail: string, headers: Record<string, string> = {}, requestId?: string) {
  return new Response(JSON.stringify(problemBody(status, detail, requestId)), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  })
}

/** A route's own refusal, with the status and detail to answer. */
export class ProblemError extends Error {
  override name = 'ProblemError'
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail)
  }
}

/** The status and public detail of any error a route may throw. */
export function classify(error: unknown): { status: number; detail: string; headers?: Record<string, string> } {
  if (error instanceof ProblemError) return { status: error.status, detail: error.detail }
  if (error instanceof NotFoundError) return { status: 404, detail: error.message }
  if (error instanceof ConflictError) return { status: 409, detail: error.message }
  if (error instanceof IdempotencyKeyReusedError) return { status: 422, detail: error.message }
  if (error instanceof ValidationError) return { status: 400, detail: error.message }
  if (error instanceof ForeignKeyError) return { status: 422, detail: 'a referenced resource does not exist' }
  if (error instanceof ForbiddenError) return { status: 403, detail: 'your role does not allow this' }
  if (error instanceof TransientError) {
    return { status: 503, detail: 'temporarily unavailable, retry shortly', headers: { 'retry-after': '1' } }
  }
  if (error instanceof HTTPException) {
    const status = error.status
    return { status, detail: status === 413 ? 'the request body is too large' : error.message || TITLES[status] || '' }
  }
  return { status: 500, detail: 'an unexpected error occurred' }
}

/** The app's `onError`: every failure becomes a problem; 500s are logged with the request id. */
export function onError(error: Error, c: Context): Response {
  const requestId = c.get('requestId') as string | undefined
  const { status, detail, headers } = classify(error)
  if (status >= 500 && status !== 503) {
    // the request's logger, once its middleware ran; the console's JSON logger for a failure before it
    const logger = (c.get('logger') as StructuredLogger | undefined) ?? jsonConsoleLogger
    logger.error('unhandled error', { error })
  }
  return problem(status, detail, headers, status >= 500 ? requestId : undefined)
}
