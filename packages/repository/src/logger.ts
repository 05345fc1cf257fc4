/**
 * The logging port. The package logs only context (repository, operation,
 * error class, SQLSTATE, constraint) — never row data or parameter values.
 */
export interface Logger {
  warn(message: string, context: Record<string, unknown>): void
  error(message: string, context: Record<string, unknown>): void
}

/** One JSON line per event on the console, which every runtime has. */
export const jsonConsoleLogger: Logger = {
  warn: (message, context) => console.warn(JSON.stringify({ level: 'warn', message, ...context })),
  error: (message, context) => console.error(JSON.stringify({ level: 'error', message, ...context })),
}

export const silentLogger: Logger = { warn: () => {}, error: () => {} }
