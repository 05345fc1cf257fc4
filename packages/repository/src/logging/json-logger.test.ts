import { describe, expect, it, vi } from 'vitest'
import type { LogContext } from '../logger.ts'
import { consoleLines, JsonLogger, type JsonLoggerOptions, type LineLevel } from './json-logger.ts'
import { LOG_LEVELS, parseLogLevel } from './levels.ts'

const AT = Date.UTC(2026, 10, 27, 10, 0, 0)

function recording(options: JsonLoggerOptions = {}) {
  const lines: Array<{ level: LineLevel; record: LogContext }> = []
  const logger = new JsonLogger({
    serviceName: 'documents-api',
    now: () => AT,
    write: (level, record) => lines.push({ level, record }),
    ...options,
  })
  return { logger, lines, records: () => lines.map(({ record }) => record) }
}

describe('the JSON logger', () => {
  it("writes Powertools' standard keys first, then the invocation's, the child's and the line's", () => {
    const { logger, records } = recording()
    const log = logger
      .forInvocation({ requestId: 'req-1', correlationId: 'checkout-42' })
      .child({ route: 'GET /documents/:id' })
      .child({ orgId: 'acme' })
    log.warn('slow query', { durationMs: 1250 })
    expect(records()).toEqual([
      {
        level: 'WARN',
        message: 'slow query',
        timestamp: '2026-11-27T10:00:00.000Z',
        service: 'documents-api',
        cold_start: true,
        function_request_id: 'req-1',
        correlation_id: 'checkout-42',
        route: 'GET /documents/:id',
        orgId: 'acme',
        durationMs: 1250,
      },
    ])
    expect(Object.keys(records()[0] ?? {}).slice(0, 6)).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'cold_start',
      'function_request_id',
    ])
  })

  it("marks only the isolate's first invocation as its cold start", () => {
    const { logger, records } = recording()
    for (const requestId of ['a', 'b', 'c']) logger.forInvocation({ requestId }).info('request')
    expect(records().map((r) => [r.function_request_id, r.cold_start])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ])
    expect(records()[1]).not.toHaveProperty('correlation_id') // none sent, none written
  })

  it('writes a line at or above its level and nothing below it', () => {
    const levels = (level: JsonLoggerOptions['level']) => {
      const { logger, lines } = recording({ level })
      logger.debug('d')
      logger.info('i')
      logger.warn('w')
      logger.error('e')
      logger.critical('c')
      return lines.map((line) => line.level)
    }
    expect(levels(undefined)).toEqual(['INFO', 'WARN', 'ERROR', 'CRITICAL'])
    expect(levels('DEBUG')).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'])
    expect(levels('WARN')).toEqual(['WARN', 'ERROR', 'CRITICAL'])
    expect(levels('CRITICAL')).toEqual(['CRITICAL'])
    expect(levels('SILENT')).toEqual([])
  })

  it('leaves out empty values and never lets a key overwrite a standard one', () => {
    const { logger, records } = recording({ persistentKeys: { region: 'eu', level: 'nope' } })
    logger.info('hello', { code: undefined, constraint: null, detail: '', zero: 0, no: false, service: 'other' })
    expect(records()).toEqual([
      {
        level: 'INFO',
        message: 'hello',
        timestamp: '2026-11-27T10:00:00.000Z',
        service: 'documents-api',
        region: 'eu',
        zero: 0,
        no: false,
      },
    ])
  })

  it('writes an Error as Powertools does: name, location, message, stack, cause', () => {
    const { logger, records } = recording()
    const cause = new Error('connection refused')
    const error = Object.assign(new TypeError('cannot read', { cause }), { code: 'E42' })
    logger.error('unhandled error', { error })
    const written = records()[0]?.error as Record<string, unknown>
    expect(written).toMatchObject({ name: 'TypeError', message: 'cannot read', code: 'E42' })
    expect(written.location).toMatch(/^\S+:\d+$/) // the first stack frame in parentheses, as Powertools finds it
    expect(written.stack).toContain('TypeError: cannot read')
    expect(written.cause).toMatchObject({ name: 'Error', message: 'connection refused' })
  })

  it('prints one JSON line per record through the console method of its level', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const logger = new JsonLogger({ serviceName: 's', now: () => AT, write: consoleLines })
      logger.info('counted', { total: 10n, failure: new Error('nested') })
      logger.critical('down')
      const line = String(info.mock.calls[0]?.[0])
      expect(line).not.toContain('\n')
      expect(JSON.parse(line)).toMatchObject({ level: 'INFO', total: '10', failure: { name: 'Error' } })
      expect(JSON.parse(String(error.mock.calls[0]?.[0]))).toMatchObject({ level: 'CRITICAL', message: 'down' })
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('never throws into the caller, whatever it is given', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const logger = new JsonLogger({ write: consoleLines })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      expect(() => logger.warn('cycle', { circular })).not.toThrow()
      const throwing = new JsonLogger({
        write: () => {
          throw new Error('console gone')
        },
      })
      expect(() => throwing.error('x')).not.toThrow()
    } finally {
      warn.mockRestore()
    }
  })
})

describe('LOG_LEVEL', () => {
  it("takes Powertools' levels in any case, INFO when unset or empty", () => {
    expect(LOG_LEVELS).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'])
    expect(parseLogLevel(undefined)).toBe('INFO')
    expect(parseLogLevel('  ')).toBe('INFO')
    expect(parseLogLevel('debug')).toBe('DEBUG')
    expect(parseLogLevel(' Warn ')).toBe('WARN')
    expect(parseLogLevel('SILENT')).toBe('SILENT')
  })

  it('refuses anything else, naming the variable', () => {
    expect(() => parseLogLevel('verbose')).toThrow(/^LOG_LEVEL must be one of DEBUG, INFO, .* not "verbose"$/)
    expect(() => parseLogLevel('FATAL', 'APP_LOG_LEVEL')).toThrow(/^APP_LOG_LEVEL must be/)
  })
})
