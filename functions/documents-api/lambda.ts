/**
 * The documents API on AWS Lambda (API Gateway HTTP API or a function URL),
 * and the scheduled run on an EventBridge Scheduler schedule (`scheduledHandler`). One
 * connection pool per execution environment (Neon's WebSockets, or
 * node-postgres for another Postgres), created at init and reused by every
 * invocation. Nothing runs after a handler returns, so a cache miss's
 * deferred store is awaited before it does (bounded by the Redis timeout); Powertools writes each invocation's metrics as EMF to stdout,
 * where CloudWatch Logs picks them up. The flush happens inside the handler,
 * before Lambda freezes the environment. Logs are Powertools Logger's JSON
 * lines at LOG_LEVEL, each with the invocation's Lambda context (cold start,
 * request id) and correlation id.
 */
import {
  databaseConfigFromEnv,
  type LambdaContextLike,
  lazyRedis,
  perProcessLifetime,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { nodeHmacSigner } from '@serverless-dal/repository/node'
import { PowertoolsMetricsSink } from '@serverless-dal/repository/powertools'
import { PowertoolsLogger } from '@serverless-dal/repository/powertools/logger'
import { handle } from 'hono/aws-lambda'
import { scheduledTriggerLabel } from './lambda/scheduled-event.ts'
import { resolveSecretParameters, ssmParameterReader } from './lambda/secret-parameters.ts'
import { runScheduled } from './scheduled.ts'
import { createService, deployedJwtSecret, loadServiceConfig, logSettings, warmBudget } from './service.ts'

// Secrets named by *_PARAMETER come from SSM Parameter Store, once per execution environment,
// before anything below reads them (lambda/secret-parameters.ts); plain variables stay as they are.
Object.assign(process.env, await resolveSecretParameters(process.env, () => ssmParameterReader()))

// Every variable checked first; no disk worth keeping and no place for a development secret: refuse to start.
const logger = new PowertoolsLogger(logSettings(loadServiceConfig(process.env)))
const jwtSecret = deployedJwtSecret(process.env)
const { UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN } = process.env

const service = createService({
  env: process.env,
  runtime: 'lambda',
  // Neon's WebSocket pool for a Neon URL, node-postgres for any other Postgres (RDS, Aurora, …).
  databases: perProcessLifetime(databaseConfigFromEnv(process.env, { runtime: 'lambda' }), {
    drivers: [neonDrivers],
    // node-postgres loads only if the pg driver is picked (non-Neon Postgres): never during init
    pg: () => import('pg').then((module) => module.default),
    onIdleConnectionError: (error) => logger.warn('idle database connection lost', { reason: error.message }),
  }),
  logger,
  metricsEmitter: PowertoolsMetricsSink, // Powertools stays the EMF emitter on Lambda
  jwtSecret,
  signCursorsWith: nodeHmacSigner,
  ...(UPSTASH_REDIS_REST_URL &&
    UPSTASH_REDIS_REST_TOKEN && {
      // loads on its first command, not during init
      redis: lazyRedis(() =>
        import('@upstash/redis').then(
          ({ Redis }) =>
            new Redis({ url: UPSTASH_REDIS_REST_URL, token: UPSTASH_REDIS_REST_TOKEN, enableTelemetry: false }),
        ),
      ),
    }),
})

export const handler = handle(service.app)

/** EventBridge Scheduler (`ScheduleV2` with the template's `Input`), a classic scheduled rule, or any other invoke. */
export const scheduledHandler = (event: unknown, context?: LambdaContextLike) => {
  const log = logger.forInvocation(
    context?.awsRequestId
      ? { requestId: context.awsRequestId, lambdaContext: context }
      : { requestId: crypto.randomUUID() },
  )
  return runScheduled(service, scheduledTriggerLabel(event, log), warmBudget(service.config), log)
}
