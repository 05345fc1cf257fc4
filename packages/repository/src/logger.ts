/**
 * The logging port. The package logs only context (repository, operation,
 * error class, SQLSTATE, constraint) — never row data or parameter values —
 * and only warnings and errors, so `Logger` asks for those two.
 *
 * An app logs through a `StructuredLogger`: every level, and `child(keys)`
 * for a logger that writes its keys on every line. An entry builds one
 * `InvocationLogger` per isolate and asks it for each invocation's logger
 * (a request, a scheduled run), which carries the invocation's ids. Two
 * implement it with one JSON shape, Powertools Logger's: `JsonLogger`
 * (`logging/json-logger.ts`, any runtime) and `PowertoolsLogger` (subpath
 * `@serverless-dal/repository/powertools/logger`, Lambda). docs/logging.md
 * lists the keys.
 */
import { JsonLogger } from './logging/json-logger.ts'

/** What a line carries beside its message: plain values, `Error`s (written with name, message and stack). */
export type LogContext = Record<string, unknown>

export interface Logger {
  warn(message: string, context: LogContext): void
  error(message: string, context: LogContext): void
}

export interface StructuredLogger extends Logger {
  debug(message: string, context?: LogContext): void
  info(message: string, context?: LogContext): void
  warn(message: string, context?: LogContext): void
  error(message: string, context?: LogContext): void
  critical(message: string, context?: LogContext): void
  /** A logger that also writes `keys` on every line (a request's route, its organization). */
  child(keys: LogContext): StructuredLogger
}

/**
 * The fields of Lambda's context object that logs use, declared here so the
 * package imports no Lambda types (hono/aws-lambda hands it over as
 * `c.env.lambdaContext`; a handler gets it as its second argument).
 */
export interface LambdaContextLike {
  awsRequestId: string
  functionName?: string
  functionVersion?: string
  invokedFunctionArn?: string
  memoryLimitInMB?: string | number
  tenantId?: string
}

/** One invocation of a function: a request, a scheduled run. */
export interface Invocation {
  /** The server's id of it (`function_request_id`): Lambda's, Cloudflare's ray id, or a fresh UUID. */
  requestId: string
  /** The client's correlation id, when it sent a usable one (`correlation_id`). */
  correlationId?: string
  /** On Lambda: the invocation's context (cold start, function name and ARN, request id). */
  lambdaContext?: LambdaContextLike
}

/** The isolate's logger: hands out each invocation's logger, which marks the isolate's first as its cold start. */
export interface InvocationLogger extends StructuredLogger {
  forInvocation(invocation: Invocation): StructuredLogger
}

/** Powertools' JSON shape on the console, at INFO, as service `service_undefined` (the package's default). */
export const jsonConsoleLogger: InvocationLogger = new JsonLogger()

const ignore = () => {}

/** Writes nothing (tests, benchmarks). */
export const silentLogger: InvocationLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  critical: ignore,
  child: () => silentLogger,
  forInvocation: () => silentLogger,
}
