/**
 * The per-organization rate limit: `RATE_LIMIT_REQUESTS` per
 * `RATE_LIMIT_WINDOW_S` seconds (60 when only the first is set), off when
 * neither is set. A value that is not a whole number from 1 to 999 999 999,
 * or a window without a number of requests, refuses to start (the service's
 * configuration says so): a limit that silently did nothing would look like
 * protection and be none.
 *
 * The window is fixed, aligned on the clock (`floor(now / window)`), so
 * every isolate and Redis agree on when it resets, and `Retry-After` is
 * exactly when a refused organization is admitted again.
 */
import type { ServiceConfig } from '../config/load-config.ts'

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

/** The policy the configuration sets (`config/variables.ts` checks the values), undefined when it sets none. */
export function rateLimitPolicy(config: Pick<ServiceConfig, 'RATE_LIMIT_REQUESTS' | 'RATE_LIMIT_WINDOW_S'>) {
  if (config.RATE_LIMIT_REQUESTS === undefined) return undefined
  const policy: RateLimitPolicy = {
    requests: config.RATE_LIMIT_REQUESTS,
    windowS: config.RATE_LIMIT_WINDOW_S ?? DEFAULT_WINDOW_S,
  }
  return policy
}
