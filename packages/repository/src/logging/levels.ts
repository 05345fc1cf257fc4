/**
 * Log levels, as Powertools Logger names and ranks them, so `LOG_LEVEL`
 * means the same on every runtime: a line is written when its level ranks
 * at or above the logger's. `SILENT` writes nothing. (Powertools also knows
 * TRACE, below DEBUG; nothing here logs at it, so it is not offered.)
 */

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const

export type LogLevel = (typeof LOG_LEVELS)[number]

/** Powertools' own thresholds (`LogLevelThreshold`). */
export const LOG_LEVEL_RANKS: Readonly<Record<LogLevel, number>> = {
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28,
}

/**
 * A level from its name in any case, surrounding spaces ignored; unset or
 * empty is `fallback`. Anything else throws, naming `variable`: a level that
 * silently fell back would hide the lines someone asked for.
 *
 * ```ts
 * parseLogLevel(env.LOG_LEVEL) // 'INFO' when unset; 'debug' → 'DEBUG'; 'verbose' throws
 * ```
 */
export function parseLogLevel(
  value: string | undefined,
  variable = 'LOG_LEVEL',
  fallback: LogLevel = 'INFO',
): LogLevel {
  const name = value?.trim().toUpperCase()
  if (!name) return fallback
  if ((LOG_LEVELS as readonly string[]).includes(name)) return name as LogLevel
  throw new RangeError(`${variable} must be one of ${LOG_LEVELS.join(', ')} (any case), not ${JSON.stringify(value)}`)
}
