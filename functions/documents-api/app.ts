/**
 * The documents API as one Hono app, shared by every runtime entry beside it
 * (node.ts, worker.ts, lambda.ts). Routes, their operations and zod schemas
 * live in routes/; the same operations write `/openapi.json` (`openapi/`).
 *
 * Every request gets a metrics invocation, flushed when it ends
 * (`request-metrics.ts`), and every answer security headers
 * (`http/secure-headers.ts`) and, with `corsOrigins`, CORS headers — a
 * preflight is answered there, before any token is asked for
 * (`http/cors.ts`); API routes then need a Bearer token (`http/auth.ts`),
 * count against the organization's rate limit where one is set
 * (`http/rate-limit.ts`), need a JSON body where they take one, and get a
 * request scope of repositories for the token's tenant
 * (`http/tenant-scope.ts`). Every failure is a problem+json answer
 * (`http/problems.ts`). `/docs` renders `/openapi.json` (`docs/page.ts`).
 *
 * The routes are chained, so the type of the app `createApp` returns carries
 * every route's input and output: `AppType` (`app-type.ts`) types a client
 * (`hc<AppType>` from `hono/client`).
 */
import type { DocumentsFactory } from '@serverless-dal/documents'
import {
  type DatabaseLifetime,
  type InvocationLogger,
  jsonConsoleLogger,
  type RepositoryMetrics,
} from '@serverless-dal/repository'
import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { DocsFiles } from './docs/files.ts'
import { docsPage } from './docs/page.ts'
import { awaitBeforeReturning, type Deferral } from './http/after-response.ts'
import { authenticate, type TokenRules } from './http/auth.ts'
import { type CorsOrigins, corsFor } from './http/cors.ts'
import { onError, problem } from './http/problems.ts'
import { type RateLimit, rateLimit } from './http/rate-limit.ts'
import { requestLogger } from './http/request-logger.ts'
import { apiSecureHeaders } from './http/secure-headers.ts'
import { tenantScope } from './http/tenant-scope.ts'
import { hasLoneSurrogate } from './http/well-formed.ts'
import type { OperationSpec } from './openapi/operation.ts'
import { type PlatformRequestId, requestMetrics } from './request-metrics.ts'
import type { ApiEnv } from './routes/api-env.ts'
import { documentOperations, documentRoutes } from './routes/documents.ts'
import { healthOperations, healthRoutes } from './routes/health.ts'
import { topicOperations, topicRoutes } from './routes/topics.ts'

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
  /** The origins browsers may call the API from (`CORS_ORIGINS`, `http/cors.ts`). @default none: CORS off */
  corsOrigins?: CorsOrigins
  /**
   * The API reference at `/docs` (`docs/page.ts`): `files` answers Swagger UI's files where the app
   * serves them itself (Node); `false` leaves the page out. @default the page, its files served in front of the app
   */
  docs?: { files?: DocsFiles } | false
  /** The isolate's logger; each request logs through its invocation's (`http/request-logger.ts`). @default JSON lines on the console */
  logger?: InvocationLogger
}

export type AppEnv = ApiEnv

// `/documents/*` also matches `/documents`: one pattern per resource, so each request passes the middleware once.
const API_PATHS = ['/documents/*', '/topics/*']

/** Every operation of the API, as `/openapi.json` describes them. */
export const OPERATIONS: readonly OperationSpec[] = [...healthOperations, ...documentOperations, ...topicOperations]

export function createApp(options: AppOptions) {
  const { factory, databases, metrics, jwtSecret } = options
  const deferral = options.deferral ?? awaitBeforeReturning
  const app = new Hono<ApiEnv>()
  app.use(requestMetrics(metrics, deferral, options.platformRequestId))
  app.use(requestLogger(options.logger ?? jsonConsoleLogger))
  app.use(apiSecureHeaders())
  // before auth: a preflight carries no token, and is no request the rate limit counts
  if (options.corsOrigins) app.use(corsFor(options.corsOrigins))
  app.onError(onError)
  app.notFound((c) => problem(404, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`))

  app.get('/openapi.json', openApiRoute({ rateLimited: options.rateLimit !== undefined }))
  if (options.docs !== false) app.route('/', docsPage(options.docs?.files))

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
  // One chain: its type is every route's, what `AppType` gives a typed client.
  const routes = app
    .route('/', healthRoutes(databases, factory, deferral))
    .route('/', documentRoutes)
    .route('/', topicRoutes)
  return routes
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
    // what Hono's JSON validator reads (a `+json` suffix on one token): anything else is a 415, not an empty body
    if (!/^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(type)) {
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

/** `/openapi.json`, loaded on its first request (`openapi/served-document.ts`), never on a cold start. */
function openApiRoute(options: { rateLimited: boolean }): MiddlewareHandler {
  let document: Promise<object> | undefined
  return async (c) => {
    document ??= import('./openapi/served-document.ts').then(
      ({ servedDocument }) => servedDocument(options),
      (error: unknown) => {
        document = undefined // the next request tries again
        throw error
      },
    )
    return c.json(await document)
  }
}
