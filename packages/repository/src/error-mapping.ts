/**
 * The one place where driver and Postgres errors become repository errors.
 * Postgres' SQLSTATE codes decide the class; the message names the constraint
 * or the kind of failure, never the `detail` (which quotes row values).
 */
import { DatabaseUnreachableError, sqlState } from './db/connection-errors.ts'
import { NestedTransactionError, TransactionsUnsupportedError } from './db/unit-connection.ts'
import {
  ConflictError,
  type ErrorContext,
  ForbiddenError,
  ForeignKeyError,
  RepositoryError,
  TransientError,
  ValidationError,
} from './errors.ts'

interface PostgresLikeError {
  code?: unknown
  constraint?: unknown
  message?: unknown
}

/** SQLSTATEs that mean "try the whole transaction again". */
export const RETRYABLE_CODES = new Set(['40001', '40P01'])

const VALIDATION_CODES: Record<string, string> = {
  '23502': 'a required value is missing',
  '22P02': 'a value has invalid syntax',
  '22001': 'a value is too long',
  '22003': 'a number is out of range',
  '22007': 'a date or time has invalid syntax',
  '22008': 'a date or time is out of range',
  '2201W': 'a limit is invalid',
  '22023': 'a parameter value is invalid',
}

/** Error text of network failures (Node, undici, the Neon driver) when no SQLSTATE exists. */
const CONNECTION_FAILURE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|Connection terminated|connection timeout|timeout exceeded when trying to connect|WebSocket|Client has encountered a connection error|Cannot use a pool after calling end/i

/** A serialization failure or deadlock, raw or already wrapped by a repository (as its cause). */
export function isRetryable(error: unknown): boolean {
  const code = sqlState(error) ?? sqlState((error as { cause?: unknown } | undefined)?.cause)
  return code !== undefined && RETRYABLE_CODES.has(code)
}

/**
 * A lost connection: a network error's text, or the WebSocket's own error or
 * close event, which the Neon driver rejects with when the socket dies
 * mid-statement (an event, not an Error: no message, no code).
 */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnreachableError) return true
  // The package's own refusals say what to do instead; they are not outages, whatever their text.
  if (error instanceof TransactionsUnsupportedError || error instanceof NestedTransactionError) return false
  const message = (error as PostgresLikeError | undefined)?.message
  if (typeof message === 'string' && CONNECTION_FAILURE.test(message)) return true
  const event = error as { type?: unknown; target?: unknown } | undefined
  return (event?.type === 'error' || event?.type === 'close') && typeof event.target === 'object'
}

/** True for what the database layer throws (a SQLSTATE or a lost connection); false for the caller's own errors. */
export function isDatabaseError(error: unknown): boolean {
  if (error instanceof RepositoryError || sqlState(error) !== undefined) return true
  return isConnectionFailure(error)
}

/** Maps anything thrown below a repository to a `RepositoryError`; repository errors pass through. */
export function toRepositoryError(error: unknown, context: ErrorContext): RepositoryError {
  if (error instanceof RepositoryError) return error
  const code = sqlState(error)
  const constraint = (error as PostgresLikeError | undefined)?.constraint
  const named = typeof constraint === 'string' ? ` (${constraint})` : ''
  const options = { cause: error }
  if (code === '23505') return new ConflictError(`a unique value is already taken${named}`, 'unique', context, options)
  if (code === '23503') return new ForeignKeyError(`a referenced row does not exist${named}`, context, options)
  if (code === '23514') return new ValidationError(`a value breaks a rule${named}`, context, options)
  if (code === '23P01')
    return new ConflictError(`a value conflicts with another row${named}`, 'unique', context, options)
  if (code && VALIDATION_CODES[code]) return new ValidationError(VALIDATION_CODES[code], context, options)
  // Any other data exception (class 22: a NUL character, a bad escape, …) is the input's fault too.
  if (code?.startsWith('22')) return new ValidationError('a value is not valid for the database', context, options)
  if (code === '25006') return new ForbiddenError('the transaction is read-only', context, options)
  if (code === '42501') return new ForbiddenError('the database refused access to these rows', context, options)
  if (code === '57014') return new TransientError('the statement timed out', context, options)
  if (code && RETRYABLE_CODES.has(code)) {
    return new TransientError('the transaction conflicted with another one', context, options)
  }
  if (code?.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
    return new TransientError('the database connection failed', context, options)
  }
  if (!code && isConnectionFailure(error)) {
    return new TransientError('the database is unreachable', context, options)
  }
  return new RepositoryError(`the database operation failed${code ? ` (SQLSTATE ${code})` : ''}`, context, options)
}
