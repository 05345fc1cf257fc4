/**
 * The isolate's service, built once from the environment by each entry: the
 * database lifetime (by runtime), metrics, the repository factory with its
 * cache (Redis when the entry passes a client), the organizations' rate
 * limit (on Redis too, else in memory), and the Hono app. The configuration
 * is checked whole first (`config/`): a variable with a value the service
 * cannot use refuses to start, naming it.
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
import { type Environment, loadServiceConfig, type ServiceConfig } from './config/load-config.ts'
import type { ServiceVariable } from './config/variables.ts'
import { awaitBeforeReturning, type Deferral, inBackground, viaWaitUntil } from './http/after-response.ts'
import type { TokenRules } from './http/auth.ts'
import { MemoryRateLimiter } from './rate-limit/memory-limiter.ts'
import { rateLimitPolicy } from './rate-limit/policy.ts'
import { RedisRateLimiter } from './rate-limit/redis-limiter.ts'
import { lambdaRequestId, workersRequestId } from './request-metrics.ts'
import { metricsFromConfig } from './runtime-metrics.ts'

/** The variables the service reads, as text (`config/variables.ts` says what each accepts). */
export type ServiceEnv = { readonly [Name in ServiceVariable]?: string }

export interface ServiceOptions {
  /** Checked whole at start: a bad value refuses to start, naming the variable. */
  env: ServiceEnv | Environment
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

export function createService(options: ServiceOptions) {
  const { runtime, databases, jwtSecret, redis, signCursorsWith } = options
  const config = loadServiceConfig(options.env)
  const cursorSecret = config.CURSOR_SECRET ?? `cursor:${jwtSecret}`
  const metrics = metricsFromConfig(config)
  const factory = createDocumentsFactory({
    database: databases,
    runtime,
    metrics,
    cursorSecret,
    ...(signCursorsWith && { cursorSigner: signCursorsWith(cursorSecret) }),
    cache: {
      ...(redis && { redis }),
      ...(config.CACHE_NAMESPACE && { namespace: config.CACHE_NAMESPACE }),
      ...(config.HOT_KEY_SAMPLE_EVERY && { hotKeys: { sampleEvery: config.HOT_KEY_SAMPLE_EVERY } }),
      ...(config.CACHE_MEMORY_MAX_BYTES && { memory: { maxBytes: config.CACHE_MEMORY_MAX_BYTES } }),
      ...(config.CACHE_MEMORY === 'off' && { memory: false as const }),
      ...(config.CACHE_CONSISTENCY_SAMPLE_EVERY !== undefined && {
        consistencyChecks: { sampleEvery: config.CACHE_CONSISTENCY_SAMPLE_EVERY },
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
    tokenRules: tokenRules(config),
    deferral: deferrals[runtime],
    ...(platformRequestId && { platformRequestId }),
    ...rateLimitFor(config, options),
  })
  return { app, factory, metrics, databases, background, config }
}

/** The token rules of the configuration: lifetime cap, issuer, audience. */
function tokenRules(config: ServiceConfig): TokenRules {
  return {
    ...(config.JWT_MAX_LIFETIME_S && { maxLifetimeS: config.JWT_MAX_LIFETIME_S }),
    ...(config.JWT_ISSUER && { issuer: config.JWT_ISSUER }),
    ...(config.JWT_AUDIENCE && { audience: config.JWT_AUDIENCE }),
  }
}

/** The organizations' rate limit: on Redis across isolates when there is one, else in this isolate's memory. */
function rateLimitFor(config: ServiceConfig, { redis, rateLimitTimeoutMs }: ServiceOptions) {
  const policy = rateLimitPolicy(config)
  if (!policy) return {}
  const limiter = redis
    ? new RedisRateLimiter(policy, redis, {
        ...(config.CACHE_NAMESPACE && { namespace: config.CACHE_NAMESPACE }),
        ...(rateLimitTimeoutMs !== undefined && { timeoutMs: rateLimitTimeoutMs }),
      })
    : new MemoryRateLimiter(policy)
  return { rateLimit: { policy, limiter } }
}

/** The warm job's options of the configuration. */
export function warmBudget(config: Pick<ServiceConfig, 'WARM_BUDGET_MS'>): { budgetMs?: number } {
  return config.WARM_BUDGET_MS ? { budgetMs: config.WARM_BUDGET_MS } : {}
}

export { ConfigError, type Environment, loadServiceConfig, type ServiceConfig } from './config/load-config.ts'
export { deployedJwtSecret } from './http/jwt-secret.ts'
