/**
 * The documents API on AWS Lambda (API Gateway HTTP API or a function URL).
 * One Neon pool per execution environment, created at init and reused by every
 * invocation; Powertools writes each invocation's metrics as EMF to stdout,
 * where CloudWatch Logs picks them up. The flush happens inside the handler,
 * in the request's `finally`, before Lambda freezes the environment.
 */
import { databaseConfigFromEnv, perProcessLifetime } from '@serverless-dal/repository'
import { handle } from 'hono/aws-lambda'
import { createApp } from './app.ts'
import { metricsFromEnv } from './runtime-metrics.ts'

// Lambda has no disk worth keeping: without a database URL there is nothing to serve.
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not configured')

const databases = perProcessLifetime(databaseConfigFromEnv(process.env), {
  onIdleConnectionError: (error) =>
    console.warn(JSON.stringify({ level: 'warn', message: 'idle database connection lost', reason: error.message })),
})

export const handler = handle(createApp({ databases, metrics: metricsFromEnv(process.env) }))
