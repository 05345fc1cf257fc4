/**
 * The rate limit suites' pieces: the service as an entry builds it, a client
 * per organization, the RateLimit fields of an answer, and a wait that keeps
 * a test from straddling the edge of a fixed window.
 */
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import { createService, type ServiceEnv } from '@serverless-dal/documents-api/service.ts'
import type { DatabaseLifetime, RedisLike } from '@serverless-dal/repository'
import { API_JWT_SECRET } from './api.ts'

// a window far longer than a test, so none crosses its edge by chance (`awayFromEdge` makes sure)
export const FIVE_AN_HOUR = { RATE_LIMIT_REQUESTS: '5', RATE_LIMIT_WINDOW_S: '3600' }
// no hot-key sampling: it would add a background Redis request to the counts
const QUIET = { HOT_KEY_SAMPLE_EVERY: '1000000' }

export const namespace = () => `rl-${Math.random().toString(36).slice(2)}`

export type Service = ReturnType<typeof createService>

/** A patient Redis budget by default, so a loaded machine never turns a 429 into a pass. */
export function limitedService(
  backend: { lifetime: DatabaseLifetime },
  env: ServiceEnv,
  redis?: RedisLike,
  rateLimitTimeoutMs = 2_000,
): Service {
  return createService({
    env: { POWERTOOLS_METRICS_DISABLED: 'true', CACHE_NAMESPACE: namespace(), ...QUIET, ...env },
    runtime: 'node',
    databases: backend.lifetime,
    jwtSecret: API_JWT_SECRET,
    rateLimitTimeoutMs,
    ...(redis && { redis }),
  })
}

const tokens = new Map<string, Promise<string>>()

/** Requests to `service` as an editor of `org`. */
export function as(service: Service, org: string) {
  if (!tokens.has(org)) tokens.set(org, signToken(API_JWT_SECRET, { org, role: 'editor', sub: org }))
  const send = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${await tokens.get(org)}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    return service.app.request(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) })
  }
  return {
    get: (path = '/documents') => send('GET', path),
    post: (path: string, body: unknown) => send('POST', path, body),
  }
}

/** Waits, when a window of `windowS` ends within `marginMs`, for the next one to begin. */
export async function awayFromEdge(windowS: number, marginMs = 3_000): Promise<void> {
  const left = windowS * 1000 - (Date.now() % (windowS * 1000))
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 20))
}

/** `Retry-After` and the RateLimit fields of an answer (null where absent). */
export const rateLimitFieldsOf = (response: Response) =>
  Object.fromEntries(
    ['retry-after', 'ratelimit-policy', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'].map((name) => [
      name,
      response.headers.get(name),
    ]),
  )
