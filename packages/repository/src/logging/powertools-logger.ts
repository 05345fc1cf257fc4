/**
 * The logging port over Powertools `Logger`, for Lambda (subpath
 * `@serverless-dal/repository/powertools/logger`; the only other file of the
 * package that imports Powertools is the metrics sink). Each invocation
 * does what Powertools' `injectLambdaContext` does for a handler: the
 * sampling decision is refreshed and the Lambda context added, so every line
 * carries `cold_start`, `function_name`, `function_arn`,
 * `function_memory_size`, `function_request_id`, and `xray_trace_id` when
 * tracing is on. The invocation's `correlation_id` and a child's keys go on
 * each line of the logger it returns, never onto the shared Logger: a key
 * cannot leak into the next invocation, and there is nothing to reset.
 *
 * Powertools reads its own variables as usual: POWERTOOLS_SERVICE_NAME,
 * POWERTOOLS_LOG_LEVEL (or LOG_LEVEL) when no `level` is given,
 * POWERTOOLS_LOGGER_SAMPLE_RATE, and AWS_LAMBDA_LOG_LEVEL (Lambda's advanced
 * logging controls), which wins over every other level. `cold_start` is true
 * only where Lambda says the environment started on demand
 * (AWS_LAMBDA_INITIALIZATION_TYPE=on-demand), never under provisioned
 * concurrency. The JSON shape is the one `JsonLogger` writes elsewhere.
 *
 * ```ts
 * const logger = new PowertoolsLogger({ serviceName: 'documents-api', level: 'INFO' })
 * export const handler = async (event, context) => {
 *   const log = logger.forInvocation({ requestId: context.awsRequestId, lambdaContext: context })
 *   log.info('started', { records: event.Records.length })
 * }
 * ```
 */
import { Logger } from '@aws-lambda-powertools/logger'
import type { Invocation, InvocationLogger, LogContext, StructuredLogger } from '../logger.ts'
import type { LogLevel } from './levels.ts'

export interface PowertoolsLoggerOptions {
  /** The `service` key. @default POWERTOOLS_SERVICE_NAME, else `service_undefined` */
  serviceName?: string
  /** The lowest level written. @default POWERTOOLS_LOG_LEVEL or LOG_LEVEL, else INFO */
  level?: LogLevel
  /** A Powertools Logger of your own to write through (its options and keys stay as you set them). */
  logger?: Logger
}

class BoundPowertoolsLogger implements StructuredLogger {
  constructor(
    protected readonly logger: Logger,
    protected readonly keys: LogContext,
  ) {}

  debug(message: string, context?: LogContext): void {
    this.logger.debug(message, this.#with(context))
  }
  info(message: string, context?: LogContext): void {
    this.logger.info(message, this.#with(context))
  }
  warn(message: string, context?: LogContext): void {
    this.logger.warn(message, this.#with(context))
  }
  error(message: string, context?: LogContext): void {
    this.logger.error(message, this.#with(context))
  }
  critical(message: string, context?: LogContext): void {
    this.logger.critical(message, this.#with(context))
  }

  child(keys: LogContext): StructuredLogger {
    return new BoundPowertoolsLogger(this.logger, { ...this.keys, ...keys })
  }

  #with(context: LogContext | undefined): LogContext {
    return context ? { ...this.keys, ...context } : this.keys
  }
}

export class PowertoolsLogger extends BoundPowertoolsLogger implements InvocationLogger {
  constructor(options: PowertoolsLoggerOptions = {}) {
    const { serviceName, level } = options
    super(options.logger ?? new Logger({ ...(serviceName && { serviceName }), ...(level && { logLevel: level }) }), {})
  }

  /** The Powertools Logger underneath, for what the port does not cover (log buffering, `logEventIfEnabled`). */
  get powertools(): Logger {
    return this.logger
  }

  /**
   * The invocation's logger. With Lambda's context, Powertools writes the
   * request id and cold start from it; without one (a test, another host),
   * the request id goes on the lines as `function_request_id` all the same.
   */
  forInvocation({ requestId, correlationId, lambdaContext }: Invocation): StructuredLogger {
    if (lambdaContext) {
      this.logger.refreshSampleRateCalculation()
      this.logger.addContext(lambdaContext)
    }
    return this.child({
      ...(!lambdaContext && { function_request_id: requestId }),
      ...(correlationId && { correlation_id: correlationId }),
    })
  }
}
