/**
 * The per-organization rate limit on the API routes: after the token names
 * the organization, before its request scope touches the database. An
 * organization over its limit gets a 429 problem with `Retry-After`; every
 * checked answer, a 429 or not, carries the limit's state in the header
 * fields of draft-ietf-httpapi-ratelimit-headers-06, the form most clients
 * read today: `RateLimit-Policy: <limit>;w=<window s>`, `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the window
 * ends, at least 1; `Retry-After` says the same).
 *
 * Metrics: `RateLimited` for each 429 (the organization in the line's
 * metadata, `rateLimitedOrg`), `RateLimitFailOpen` for each request
 * let through unchecked because the limiter could not ask Redis (that
 * answer carries no RateLimit fields: there is nothing true to say).
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from '../rate-limit/policy.ts'
import type { MetricsVariables } from '../request-metrics.ts'
import type { AuthVariables } from './auth.ts'
import { problem } from './problems.ts'

export interface RateLimit {
  policy: RateLimitPolicy
  limiter: RateLimiter
}

export function rateLimit({
  policy,
  limiter,
}: RateLimit): MiddlewareHandler<{ Variables: AuthVariables & MetricsVariables }> {
  return async (c, next) => {
    const orgId = c.get('scope').orgId
    const decision = await limiter.limit(orgId)
    if (decision.outcome === 'failed-open') {
      c.get('metrics').count('RateLimitFailOpen')
      return next()
    }
    const fields = rateLimitFields(policy, decision, Date.now())
    if (decision.outcome === 'limited') {
      c.get('metrics').count('RateLimited')
      c.get('metrics').addMetadata('rateLimitedOrg', orgId) // which tenant floods: metadata, never a billed dimension
      const detail =
        `this organization is over its limit of ${decision.limit} requests per ${policy.windowS} s: ` +
        `retry in ${fields['ratelimit-reset']} s`
      return problem(429, detail, { ...fields, 'retry-after': fields['ratelimit-reset'] })
    }
    await next()
    setFields(c, fields)
  }
}

/** The RateLimit header fields of one decision, at `now` (ms). */
export function rateLimitFields(
  policy: RateLimitPolicy,
  decision: Extract<RateLimitDecision, { limit: number }>,
  now: number,
): { [field in 'ratelimit-policy' | 'ratelimit-limit' | 'ratelimit-remaining' | 'ratelimit-reset']: string } {
  const reset = Math.max(1, Math.ceil((decision.resetAt - now) / 1000))
  return {
    'ratelimit-policy': `${decision.limit};w=${policy.windowS}`,
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(reset),
  }
}

/** Adds the fields to the route's answer; a response whose headers are frozen is copied first. */
function setFields(c: Context, fields: Record<string, string>): void {
  try {
    for (const [name, value] of Object.entries(fields)) c.res.headers.set(name, value)
  } catch {
    c.res = new Response(c.res.body, c.res)
    for (const [name, value] of Object.entries(fields)) c.res.headers.set(name, value)
  }
}
