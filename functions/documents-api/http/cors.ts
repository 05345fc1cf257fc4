/**
 * CORS for browser clients, from `CORS_ORIGINS`: off when unset, so a
 * browser on another origin can neither read an answer nor send a request
 * that needs a preflight. A preflight (`OPTIONS` with an origin) is answered
 * here, before auth and the rate limit: it carries no token and costs the
 * organization nothing.
 *
 * `*` is accepted, alone: the API authenticates with a Bearer token that a
 * browser never attaches on its own (no cookies, no `credentials`), so a page
 * on any origin can only do what the token it holds allows — exactly what the
 * same script could do from a server. What `*` still exposes to every page a
 * user visits is the unauthenticated routes (`/ping`, `/health`,
 * `/openapi.json`) of a deployment only that user's network reaches; list the
 * origins for such a deployment.
 */
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/** Exact origins (`https://app.example.com`), or any origin. */
export type CorsOrigins = readonly string[] | '*'

/** The request headers the API reads. */
const ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'Idempotency-Key',
  'Consistency-Token',
  'Cache-Control',
]

/** The answer headers a client needs beyond the CORS-safelisted ones. */
const EXPOSE_HEADERS = [
  'ETag',
  'Location',
  'Consistency-Token',
  'X-Request-Id',
  'Cache-Status',
  'Age',
  'Retry-After',
  'RateLimit-Policy',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Idempotent-Replayed',
  'WWW-Authenticate',
]

/** Two hours: the longest Chromium keeps a preflight, and each document's URL needs its own. */
const PREFLIGHT_MAX_AGE_S = 7200

/**
 * `CORS_ORIGINS`: comma-separated exact origins as browsers send them
 * (lower case; scheme, host, and a port only if not the default; no path,
 * no trailing slash), or `*` alone. Unset or blank: undefined (CORS off).
 * Anything else throws, naming the variable.
 */
export function parseCorsOrigins(value: string | readonly string[] | undefined): CorsOrigins | undefined {
  const entries = (typeof value === 'string' ? value.split(',') : (value ?? []))
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0) return undefined
  if (entries.includes('*')) {
    if (entries.length > 1) throw new Error('CORS_ORIGINS: "*" allows every origin and cannot be listed with others')
    return '*'
  }
  for (const entry of entries) {
    if (originOf(entry) !== entry) {
      throw new Error(
        `CORS_ORIGINS: "${entry}" is not an origin: write scheme://host[:port], e.g. https://app.example.com`,
      )
    }
  }
  return entries
}

function originOf(entry: string): string | undefined {
  try {
    const url = new URL(entry)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined
  } catch {
    return undefined
  }
}

/** The CORS middleware for these origins. */
export function corsFor(origins: CorsOrigins): MiddlewareHandler {
  return cors({
    origin: origins === '*' ? '*' : [...origins],
    allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
  })
}
