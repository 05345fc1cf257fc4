/**
 * The documents API as one Hono app, shared by every runtime entry beside it
 * (node.ts, worker.ts, lambda.ts). Routes and their zod schemas live in
 * routes/; the same schemas generate `/openapi.json`.
 *
 * Every request gets a metrics invocation, flushed when it ends
 * (`request-metrics.ts`); API routes then need a Bearer token (`http/auth.ts`),
 * count against the organization's rate limit where one is set
 * (`http/rate-limit.ts`), need a JSON body where they take one, and get a
 * request scope of repositories for the token's tenant
 * (`http/tenant-scope.ts`). Every failure is a problem+json answer
 * (`http/problems.ts`).
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { DocumentsFactory } from '@serverless-dal/documents'
import type { DatabaseLifetime, RepositoryMetrics } from '@serverless-dal/repository'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { sql } from 'kysely'
import { afterResponse, awaitBeforeReturning, type Deferral } from './http/after-response.ts'
import { authenticate, type TokenRules } from './http/auth.ts'
import { onError, problem } from './http/problems.ts'
import { documentRateLimit, type RateLimit, rateLimit } from './http/rate-limit.ts'
import { tenantScope } from './http/tenant-scope.ts'
import { hasLoneSurrogate } from './http/well-formed.ts'
import { type PlatformRequestId, requestMetrics } from './request-metrics.ts'
import type { ApiEnv } from './routes/api-env.ts'
import { documentRoutes } from './routes/documents.ts'
import { topicRoutes } from './routes/topics.ts'

export interface AppOptions {
  /** The isolate's repository factory. */
  factory: DocumentsFactory
  /** The database lifetime the factory uses, for `/health`. */
  databases: DatabaseLifetime
  /** The isolate's metrics; each request records into an invocation of its own. */
  metrics: RepositoryMetrics
  /** Verifies Bearer tokens (HS256). */
  jwtSecret: string
  /** Token lifetime, issuer and audience rules. @default expiring within 24 h */
  tokenRules?: TokenRules
  /** @default 1 MiB, enough for the largest document body the schema allows */
  maxBodyBytes?: number
  /** Where work left after a response goes (`http/after-response.ts`). @default awaited before returning (Lambda) */
  deferral?: Deferral
  /** The platform's own request id, where it has one (`request-metrics.ts`). @default a fresh UUID */
  platformRequestId?: PlatformRequestId
  /** The organizations' rate limit (`http/rate-limit.ts`). @default none */
  rateLimit?: RateLimit
}

export type AppEnv = ApiEnv

// `/documents/*` also matches `/documents`: one pattern per resource, so each request passes the middleware once.
const API_PATHS = ['/documents/*', '/topics/*']
const API_PREFIXES = API_PATHS.map((path) => path.replace('/*', ''))

export function createApp(options: AppOptions): OpenAPIHono<ApiEnv> {
  const { factory, databases, metrics, jwtSecret } = options
  const deferral = options.deferral ?? awaitBeforeReturning
  const app = new OpenAPIHono<ApiEnv>({
    // Every schema failure is a 400 whose detail names the fields (and unknown ones).
    defaultHook: (result) => {
      if (!result.success) return problem(400, describeIssues(result.error.issues))
    },
  })
  app.use(requestMetrics(metrics, deferral, options.platformRequestId))
  app.onError(onError)
  app.notFound((c) => problem(404, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`))

  // No auth, no I/O: the bare baseline for benchmarks.
  app.get('/ping', (c) => c.text('pong'))
  const health = healthProbe(databases, factory)
  app.get('/health', (c) => health(c, deferral))
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'serverless-dal documents API', version: '1.0.0' },
    security: [{ bearer: [] }],
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  })

  for (const path of API_PATHS) {
    app.use(
      path,
      authenticate(jwtSecret, options.tokenRules),
      // before the body is read and before the tenant scope touches the database
      ...(options.rateLimit ? [rateLimit(options.rateLimit)] : []),
      jsonBodies(options.maxBodyBytes ?? 1024 * 1024),
      tenantScope(factory, deferral),
    )
  }
  app.route('/', documentRoutes)
  app.route('/', topicRoutes)
  if (options.rateLimit) documentRateLimit(app, API_PREFIXES)
  return app
}

/**
 * POST and PATCH take JSON only (415 otherwise), no more of it than the limit
 * (413), and only well-formed text (400 for a lone UTF-16 surrogate).
 */
function jsonBodies(maxSize: number): MiddlewareHandler {
  const limit = bodyLimit({ maxSize, onError: () => problem(413, `the request body is larger than ${maxSize} bytes`) })
  return async (c, next) => {
    if (c.req.method !== 'POST' && c.req.method !== 'PATCH') return next()
    const type = c.req.header('content-type') ?? ''
    if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      return problem(415, 'send the body as application/json')
    }
    let refused: Response | undefined
    const limited = await limit(c, async () => {
      const body = await c.req.json().catch(() => undefined) // malformed JSON: the route's validator says so
      if (hasLoneSurrogate(body))
        refused = problem(400, 'the body has text that is not valid Unicode (a lone surrogate)')
      else await next()
    })
    return refused ?? limited
  }
}

/** Health as a probe result that is at most a second old: unauthenticated callers cannot make it a load. */
function healthProbe(databases: DatabaseLifetime, factory: DocumentsFactory) {
  let latest: { at: number; result: Promise<{ db: 'ok' | 'unavailable'; cache: string }> } | undefined
  return (c: Context, deferral: Deferral): Promise<Response> => {
    if (!latest || Date.now() - latest.at > HEALTH_MAX_AGE_MS) {
      latest = { at: Date.now(), result: probe(c, databases, factory, deferral) }
    }
    return latest.result.then(({ db, cache }) => {
      const status = db === 'ok' && cache !== 'unavailable' ? 'ok' : 'degraded'
      return c.json({ status, db, cache }, db === 'ok' ? 200 : 503)
    })
  }
}

const HEALTH_MAX_AGE_MS = 1_000

async function probe(
  c: Context,
  databases: DatabaseLifetime,
  factory: DocumentsFactory,
  deferral: Deferral,
): Promise<{ db: 'ok' | 'unavailable'; cache: string }> {
  const lease = databases.lease()
  let db: 'ok' | 'unavailable' = 'ok'
  try {
    await sql`select 1`.execute(lease.database.db)
  } catch {
    db = 'unavailable'
  } finally {
    await afterResponse(c, deferral, lease.release())
  }
  const cache = (await factory.cache?.probe()) ?? 'disabled'
  return { db, cache }
}

function describeIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>,
) {
  return issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        const where = issue.path.length ? ` in ${issue.path.join('.')}` : ''
        return `unknown field${issue.keys.length > 1 ? 's' : ''}${where}: ${issue.keys.join(', ')}`
      }
      return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message
    })
    .join('; ')
}
