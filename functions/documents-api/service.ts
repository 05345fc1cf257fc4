/**
 * The isolate's service, built once from the environment by each entry: the
 * database lifetime (by runtime), metrics, the repository factory with its
 * cache (Redis when the entry passes a client), the organizations' rate
 * limit (on Redis too, else in memory), and the Hono app. A variable with a
 * value it cannot use refuses to start (`checkServiceEnv`).
 */
import { createDocumentsFactory } from '@serverless-dal/documents'
import {
  BackgroundWork,
  type CursorSigner,
  type DatabaseLifetime,
  type RedisLike,
  type Runtime,
} from '@serverless-dal/repository'
import { createApp } from './app.ts'
import { awaitBeforeReturning, type Deferral, inBackground, viaWaitUntil } from './http/after-response.ts'
import type { TokenRules } from './http/auth.ts'
import { MemoryRateLimiter } from './rate-limit/memory-limiter.ts'
import { rateLimitPolicy } from './rate-limit/policy.ts'
import { RedisRateLimiter } from './rate-limit/redis-limiter.ts'
import { lambdaRequestId, workersRequestId } from './request-metrics.ts'
import { type MetricsEnv, metricsFromEnv } from './runtime-metrics.ts'

export interface ServiceEnv extends MetricsEnv {
  JWT_SECRET?: string
  /** Signs pagination cursors; defaults to one derived from JWT_SECRET. */
  CURSOR_SECRET?: string
  /** Separates this deployment's cache keys in a shared Redis. */
  CACHE_NAMESPACE?: string
  /** The warm job's time budget per scheduled run, ms (default 20 000). */
  WARM_BUDGET_MS?: string
  /** One read in this many is recorded as hot for the warm job (default 10). */
  HOT_KEY_SAMPLE_EVERY?: string
  /** The memory tier's byte cap per isolate (default 32 MiB). */
  CACHE_MEMORY_MAX_BYTES?: string
  /** `off`: no memory tier, every cached read goes to Redis. */
  CACHE_MEMORY?: string
  /** The longest a token may live, in seconds (default 86 400). */
  JWT_MAX_LIFETIME_S?: string
  /** When set, tokens must carry this `iss`. */
  JWT_ISSUER?: string
  /** When set, tokens must carry this `aud`. */
  JWT_AUDIENCE?: string
  /** One cache hit in this many is checked against the database (default 100, at most 1% of loads; 0: off). */
  CACHE_CONSISTENCY_SAMPLE_EVERY?: string
  /** Requests an organization may make per window; unset: no limit (`rate-limit/policy.ts`). */
  RATE_LIMIT_REQUESTS?: string
  /** The rate limit's window in seconds (default 60). */
  RATE_LIMIT_WINDOW_S?: string
}

export interface ServiceOptions {
  env: ServiceEnv
  runtime: Runtime
  databases: DatabaseLifetime
  jwtSecret: string
  /** The Upstash client for the shared cache tier; memory only without one. */
  redis?: RedisLike
  /** Signs cursors another way than Web Crypto, e.g. `nodeHmacSigner` on Node and Lambda. */
  signCursorsWith?: (secret: string) => CursorSigner
  /** How long a rate limit check waits for Redis before letting the request through, ms. @default 150 */
  rateLimitTimeoutMs?: number
}

/** Throws, naming the variable, when the environment sets a value the service cannot use. */
export function checkServiceEnv(env: ServiceEnv): void {
  rateLimitPolicy(env)
}

export function createService(options: ServiceOptions) {
  const { env, runtime, databases, jwtSecret, redis, signCursorsWith } = options
  checkServiceEnv(env)
  const cursorSecret = env.CURSOR_SECRET || `cursor:${jwtSecret}`
  const metrics = metricsFromEnv(env)
  const factory = createDocumentsFactory({
    database: databases,
    runtime,
    metrics,
    cursorSecret,
    ...(signCursorsWith && { cursorSigner: signCursorsWith(cursorSecret) }),
    cache: {
      ...(redis && { redis }),
      ...(env.CACHE_NAMESPACE && { namespace: env.CACHE_NAMESPACE }),
      ...(Number(env.HOT_KEY_SAMPLE_EVERY) >= 1 && {
        hotKeys: { sampleEvery: Math.floor(Number(env.HOT_KEY_SAMPLE_EVERY)) },
      }),
      ...(Number(env.CACHE_MEMORY_MAX_BYTES) > 0 && { memory: { maxBytes: Number(env.CACHE_MEMORY_MAX_BYTES) } }),
      ...(env.CACHE_MEMORY === 'off' && { memory: false as const }),
      ...(env.CACHE_CONSISTENCY_SAMPLE_EVERY !== undefined &&
        Number.isInteger(Number(env.CACHE_CONSISTENCY_SAMPLE_EVERY)) && {
          consistencyChecks: { sampleEvery: Math.max(0, Number(env.CACHE_CONSISTENCY_SAMPLE_EVERY)) },
        }),
    },
  })
  // Work left after a response: the request's waitUntil on Workers, the process on Node, awaited on Lambda.
  const background = new BackgroundWork()
  const deferrals: Record<Runtime, Deferral> = {
    workers: viaWaitUntil,
    node: inBackground(background),
    lambda: awaitBeforeReturning,
  }
  const platformRequestId = { workers: workersRequestId, lambda: lambdaRequestId, node: undefined }[runtime]
  const app = createApp({
    factory,
    databases,
    metrics,
    jwtSecret,
    tokenRules: tokenRules(env),
    deferral: deferrals[runtime],
    ...(platformRequestId && { platformRequestId }),
    ...rateLimitFor(options),
  })
  return { app, factory, metrics, databases, background }
}

/** The token rules from the environment: lifetime cap, issuer, audience. */
function tokenRules(env: ServiceEnv): TokenRules {
  const maxLifetimeS = Number(env.JWT_MAX_LIFETIME_S)
  return {
    ...(Number.isFinite(maxLifetimeS) && maxLifetimeS > 0 && { maxLifetimeS }),
    ...(env.JWT_ISSUER && { issuer: env.JWT_ISSUER }),
    ...(env.JWT_AUDIENCE && { audience: env.JWT_AUDIENCE }),
  }
}

/** The organizations' rate limit: on Redis across isolates when there is one, else in this isolate's memory. */
function rateLimitFor({ env, redis, rateLimitTimeoutMs }: ServiceOptions) {
  const policy = rateLimitPolicy(env)
  if (!policy) return {}
  const limiter = redis
    ? new RedisRateLimiter(policy, redis, {
        ...(env.CACHE_NAMESPACE && { namespace: env.CACHE_NAMESPACE }),
        ...(rateLimitTimeoutMs !== undefined && { timeoutMs: rateLimitTimeoutMs }),
      })
    : new MemoryRateLimiter(policy)
  return { rateLimit: { policy, limiter } }
}

/** The warm job's options from the environment. */
export function warmBudget(env: { WARM_BUDGET_MS?: string }): { budgetMs?: number } {
  const budgetMs = Number(env.WARM_BUDGET_MS)
  return Number.isFinite(budgetMs) && budgetMs > 0 ? { budgetMs } : {}
}

export { deployedJwtSecret } from './http/jwt-secret.ts'
