/**
 * The isolate's service, built once from the environment by each entry: the
 * database lifetime (by runtime), metrics, the repository factory with its
 * cache (Redis when the entry passes a client), the organizations' rate
 * limit (on Redis too, else in memory), the logger (Powertools' JSON shape
 * at `LOG_LEVEL`: the entry's, else `JsonLogger`), and the Hono app. The configuration
 * is checked whole first (`config/`): a variable with a value the service
 * cannot use refuses to start, naming it.
 */
import { createDocumentsFactory } from '@serverless-dal/documents'
import {
  BackgroundWork,
  type CursorSigner,
  consoleLines,
  consoleObjects,
  type DatabaseLifetime,
  type InvocationLogger,
  JsonLogger,
  type LogLevel,
  type RedisLike,
  type Runtime,
} from '@serverless-dal/repository'
import { createApp } from './app.ts'
import { type Environment, loadServiceConfig, type ServiceConfig } from './config/load-config.ts'
import type { ServiceVariable } from './config/variables.ts'
import type { DocsFiles } from './docs/files.ts'
import { awaitBeforeReturning, type Deferral, inBackground, viaWaitUntil } from './http/after-response.ts'
import type { TokenRules } from './http/auth.ts'
import { parseCorsOrigins } from './http/cors.ts'
import { MemoryRateLimiter } from './rate-limit/memory-limiter.ts'
import { rateLimitPolicy } from './rate-limit/policy.ts'
import { RedisRateLimiter } from './rate-limit/redis-limiter.ts'
import { lambdaRequestId, workersRequestId } from './request-metrics.ts'
import { type MetricsEmitter, metricsFromConfig } from './runtime-metrics.ts'

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
  /**
   * The isolate's logger, e.g. `PowertoolsLogger` on Lambda. @default a `JsonLogger` at `logSettings`:
   * JSON lines on the console, objects on Workers (Workers Logs indexes their fields)
   */
  logger?: InvocationLogger
  /**
   * Answers the `/docs` page's Swagger UI files where the app serves them itself (`nodeDocsFiles` on Node).
   * Workers serve them as static assets in front of the app; Lambda serves no `/docs` (see `docsFor`).
   */
  docsFiles?: DocsFiles
  /** Writes the metrics' EMF lines: `PowertoolsMetricsSink` on Lambda. @default EmfMetricsSink (no Powertools) */
  metricsEmitter?: MetricsEmitter
}

export function createService(options: ServiceOptions) {
  const { runtime, databases, jwtSecret, redis, signCursorsWith } = options
  const config = loadServiceConfig(options.env)
  const cursorSecret = config.CURSOR_SECRET ?? `cursor:${jwtSecret}`
  const logger =
    options.logger ??
    new JsonLogger({ ...logSettings(config), write: runtime === 'workers' ? consoleObjects : consoleLines })
  const metrics = metricsFromConfig(config, logger, options.metricsEmitter)
  const factory = createDocumentsFactory({
    database: databases,
    runtime,
    metrics,
    logger,
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
    ...rateLimitFor(config, options, logger),
    logger,
    ...corsFor(config),
    docs: docsFor(runtime, options.docsFiles),
  })
  return { app, factory, metrics, databases, background, config, logger }
}

/** `CORS_ORIGINS`: the origins browsers may call the API from; none, CORS off. */
function corsFor(config: Pick<ServiceConfig, 'CORS_ORIGINS'>) {
  const corsOrigins = parseCorsOrigins(config.CORS_ORIGINS)
  return corsOrigins ? { corsOrigins } : {}
}

/**
 * The `/docs` page where its Swagger UI files can be had: on Workers the static assets answer them before
 * the Worker runs; on Node the app reads them. A Lambda package is the bundle alone, and each file through
 * API Gateway would be an invocation of its own: there `/openapi.json` is served, the page is not.
 */
function docsFor(runtime: Runtime, files: DocsFiles | undefined) {
  if (runtime === 'lambda') return false
  return files ? { files } : {}
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
function rateLimitFor(config: ServiceConfig, { redis, rateLimitTimeoutMs }: ServiceOptions, logger: InvocationLogger) {
  const policy = rateLimitPolicy(config)
  if (!policy) return {}
  const limiter = redis
    ? new RedisRateLimiter(policy, redis, {
        ...(config.CACHE_NAMESPACE && { namespace: config.CACHE_NAMESPACE }),
        ...(rateLimitTimeoutMs !== undefined && { timeoutMs: rateLimitTimeoutMs }),
        logger,
      })
    : new MemoryRateLimiter(policy)
  return { rateLimit: { policy, limiter } }
}

/** The logger's settings: `LOG_LEVEL` (default INFO), and the service name the metrics use. */
export function logSettings(config: Pick<ServiceConfig, 'LOG_LEVEL' | 'POWERTOOLS_SERVICE_NAME'>): {
  serviceName: string
  level: LogLevel
} {
  return { serviceName: config.POWERTOOLS_SERVICE_NAME ?? 'documents-api', level: config.LOG_LEVEL ?? 'INFO' }
}

/** The warm job's options of the configuration. */
export function warmBudget(config: Pick<ServiceConfig, 'WARM_BUDGET_MS'>): { budgetMs?: number } {
  return config.WARM_BUDGET_MS ? { budgetMs: config.WARM_BUDGET_MS } : {}
}

export { ConfigError, type Environment, loadServiceConfig, type ServiceConfig } from './config/load-config.ts'
export { deployedJwtSecret } from './http/jwt-secret.ts'
