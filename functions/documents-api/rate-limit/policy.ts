/**
 * The per-organization rate limit: `RATE_LIMIT_REQUESTS` per
 * `RATE_LIMIT_WINDOW_S` seconds (60 when only the first is set), off when
 * neither is set. A value that is not a whole number from 1 to 999 999 999,
 * or a window without a number of requests, refuses to start: a limit that
 * silently did nothing would look like protection and be none.
 *
 * The window is fixed, aligned on the clock (`floor(now / window)`), so
 * every isolate and Redis agree on when it resets, and `Retry-After` is
 * exactly when a refused organization is admitted again.
 */

export interface RateLimitEnv {
  RATE_LIMIT_REQUESTS?: string
  RATE_LIMIT_WINDOW_S?: string
}

export interface RateLimitPolicy {
  /** Requests an organization may make per window. */
  requests: number
  /** The window, in seconds. */
  windowS: number
}

export const DEFAULT_WINDOW_S = 60

/** The answer of one limit check. `resetAt` is when the window ends, ms since the epoch. */
export type RateLimitDecision =
  | { outcome: 'allowed' | 'limited'; limit: number; remaining: number; resetAt: number }
  /** The check could not be made (Redis down or slow): the request goes through, counted. */
  | { outcome: 'failed-open'; reason: string }

export interface RateLimiter {
  /** Counts one request of `orgId` and says whether it may go on. Never throws. */
  limit(orgId: string): Promise<RateLimitDecision>
}

const WHOLE = /^[1-9][0-9]{0,8}$/

function whole(name: keyof RateLimitEnv, value: string): number {
  if (!WHOLE.test(value.trim())) {
    throw new Error(`${name} must be a whole number from 1 to 999999999, not ${JSON.stringify(value)}`)
  }
  return Number(value.trim())
}

/** The policy the environment sets, undefined when it sets none; throws why a value is refused. */
export function rateLimitPolicy(env: RateLimitEnv): RateLimitPolicy | undefined {
  // An empty value is unset, as a blank line in a .env file or an empty wrangler var means.
  const requests = env.RATE_LIMIT_REQUESTS?.trim() ? env.RATE_LIMIT_REQUESTS : undefined
  const windowS = env.RATE_LIMIT_WINDOW_S?.trim() ? env.RATE_LIMIT_WINDOW_S : undefined
  if (requests === undefined) {
    if (windowS !== undefined) {
      throw new Error('RATE_LIMIT_WINDOW_S is set but RATE_LIMIT_REQUESTS is not: set both, or neither for no limit')
    }
    return undefined
  }
  return {
    requests: whole('RATE_LIMIT_REQUESTS', requests),
    windowS: windowS === undefined ? DEFAULT_WINDOW_S : whole('RATE_LIMIT_WINDOW_S', windowS),
  }
}
