/**
 * Powertools Logger's JSON shape without Powertools, for the runtimes it
 * does not serve (workerd lacks the `node:console` Console it writes
 * through) and for bundles that should not carry it: one record per line,
 *
 * ```json
 * {"level":"WARN","message":"slow query","timestamp":"2026-11-27T10:00:00.000Z","service":"documents-api",
 *  "cold_start":false,"function_request_id":"8c2f…","correlation_id":"checkout-42","route":"GET /documents/:id",
 *  "orgId":"acme","durationMs":1250}
 * ```
 *
 * The same keys as Powertools writes on Lambda (`level`, `message`,
 * `timestamp`, `service`, `cold_start`, `function_request_id`,
 * `correlation_id`), so one query finds a request on every runtime. As
 * Powertools does: keys with no value (undefined, null, '') are left out,
 * `Error`s become `{name, location, message, stack}`, and a key that would
 * overwrite `level`, `message`, `timestamp`, `service` or `sampling_rate` is
 * dropped. Writing a line never throws into the caller.
 *
 * ```ts
 * const logger = new JsonLogger({ serviceName: 'documents-api', level: parseLogLevel(env.LOG_LEVEL) })
 * const log = logger.forInvocation({ requestId }).child({ route: 'GET /documents/:id' })
 * log.warn('slow query', { durationMs: 1250 })
 * ```
 */
import type { Invocation, InvocationLogger, LogContext, StructuredLogger } from '../logger.ts'
import { LOG_LEVEL_RANKS, type LogLevel } from './levels.ts'

/** A level a line can be written at. */
export type LineLevel = Exclude<LogLevel, 'SILENT'>

/** Where a record goes: `consoleLines` (one JSON string per line) or `consoleObjects` (Workers Logs). */
export type LogWriter = (level: LineLevel, record: LogContext) => void

export interface JsonLoggerOptions {
  /** The `service` key on every line. @default 'service_undefined' (as Powertools) */
  serviceName?: string
  /** The lowest level written. @default 'INFO' */
  level?: LogLevel
  /** Keys on every line, after the standard ones. */
  persistentKeys?: LogContext
  /** @default consoleLines */
  write?: LogWriter
  /** The clock of `timestamp`, ms since the epoch. @default Date.now */
  now?: () => number
}

const RESERVED = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate'])

/** The console method of each level, as Powertools picks it (CRITICAL through `error`). */
const METHODS = {
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  CRITICAL: 'error',
} as const satisfies Record<LineLevel, keyof Console>

/** One JSON string per line, through the console method of its level: stdout below WARN, stderr from it on Node. */
export const consoleLines: LogWriter = (level, record) => console[METHODS[level]](JSON.stringify(record, jsonValue))

/**
 * The record itself, through the console method of its level: Workers Logs
 * indexes an object's fields (a JSON string stays one `message`).
 */
export const consoleObjects: LogWriter = (level, record) => console[METHODS[level]](record)

interface Sink {
  service: string
  rank: number
  write: LogWriter
  now: () => number
  coldStart: boolean
}

class BoundJsonLogger implements StructuredLogger {
  constructor(
    protected readonly sink: Sink,
    protected readonly keys: LogContext,
  ) {}

  debug(message: string, context?: LogContext): void {
    this.#log('DEBUG', message, context)
  }
  info(message: string, context?: LogContext): void {
    this.#log('INFO', message, context)
  }
  warn(message: string, context?: LogContext): void {
    this.#log('WARN', message, context)
  }
  error(message: string, context?: LogContext): void {
    this.#log('ERROR', message, context)
  }
  critical(message: string, context?: LogContext): void {
    this.#log('CRITICAL', message, context)
  }

  child(keys: LogContext): StructuredLogger {
    return new BoundJsonLogger(this.sink, { ...this.keys, ...keys })
  }

  #log(level: LineLevel, message: string, context: LogContext | undefined): void {
    if (LOG_LEVEL_RANKS[level] < this.sink.rank) return
    try {
      const record: LogContext = {
        level,
        message,
        timestamp: new Date(this.sink.now()).toISOString(),
        service: this.sink.service,
      }
      for (const source of [this.keys, context]) {
        for (const key in source) {
          const value = source[key]
          if (RESERVED.has(key) || value === undefined || value === null || value === '') continue
          record[key] = value instanceof Error ? formatError(value) : value
        }
      }
      this.sink.write(level, record)
    } catch {
      // a value JSON cannot write, or a console that throws: logging never fails the work it reports on
    }
  }
}

export class JsonLogger extends BoundJsonLogger implements InvocationLogger {
  constructor(options: JsonLoggerOptions = {}) {
    super(
      {
        service: options.serviceName || 'service_undefined',
        rank: LOG_LEVEL_RANKS[options.level ?? 'INFO'],
        write: options.write ?? consoleLines,
        now: options.now ?? Date.now,
        coldStart: true,
      },
      options.persistentKeys ?? {},
    )
  }

  /** The isolate's first invocation is its cold start; the ids go on every line of the logger returned. */
  forInvocation({ requestId, correlationId }: Invocation): StructuredLogger {
    const coldStart = this.sink.coldStart
    this.sink.coldStart = false
    return this.child({
      cold_start: coldStart,
      function_request_id: requestId,
      ...(correlationId && { correlation_id: correlationId }),
    })
  }
}

/** As Powertools' `LogFormatter.formatError`: name, where it was thrown, message, stack, its cause, its own fields. */
function formatError(error: Error): LogContext {
  const { name, message, stack, cause } = error
  const formatted: LogContext = {
    name,
    location:
      /\(([^()]*?):(\d+?):(\d+?)\)\\?$/m
        .exec(stack ?? '')
        ?.slice(1, 3)
        .join(':') ?? '',
    message,
    stack,
    ...(cause !== undefined && { cause: cause instanceof Error ? formatError(cause) : cause }),
  }
  for (const [key, value] of Object.entries(error)) {
    if (!(key in formatted)) formatted[key] = value
  }
  return formatted
}

/** JSON.stringify's replacer: nested Errors formatted, bigints as text (JSON has no bigint). */
function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) return formatError(value)
  return typeof value === 'bigint' ? value.toString() : value
}
