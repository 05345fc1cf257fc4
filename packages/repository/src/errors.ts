/**
 * Every error the repositories raise. Callers branch on the class (the HTTP
 * layer maps each to a status); `repository` and `operation` say where it
 * happened and `cause` keeps the driver's error. Messages never carry row data
 * or parameter values, so they are safe to log and to show.
 */

export interface ErrorContext {
  /** The repository, e.g. `documents`. */
  repository?: string
  /** The method, e.g. `update`. */
  operation?: string
}

export class RepositoryError extends Error {
  override name = 'RepositoryError'
  readonly repository: string | undefined
  readonly operation: string | undefined

  constructor(message: string, context: ErrorContext = {}, options?: ErrorOptions) {
    super(message, options)
    this.repository = context.repository
    this.operation = context.operation
  }
}

/** The row does not exist in this organization (or does, in another one: the same answer). */
export class NotFoundError extends RepositoryError {
  override name = 'NotFoundError'
}

/** A unique value is taken, or the row changed since the version the caller read. */
export class ConflictError extends RepositoryError {
  override name = 'ConflictError'
  constructor(
    message: string,
    readonly reason: 'unique' | 'version',
    context: ErrorContext = {},
    options?: ErrorOptions,
  ) {
    super(message, context, options)
  }
}

/** Input the database or the repository refuses: a bad filter or cursor, a check or not-null violation, bad syntax. */
export class ValidationError extends RepositoryError {
  override name = 'ValidationError'
}

/** A reference to a row that does not exist (in this organization). */
export class ForeignKeyError extends RepositoryError {
  override name = 'ForeignKeyError'
}

/** The role may not do this, or the database refused it (read-only transaction, row-level security). */
export class ForbiddenError extends RepositoryError {
  override name = 'ForbiddenError'
}

/** Worth retrying later: connection lost, timeout, serialization retries exhausted. */
export class TransientError extends RepositoryError {
  override name = 'TransientError'
}

/** An idempotency key was used before with a different request. */
export class IdempotencyKeyReusedError extends RepositoryError {
  override name = 'IdempotencyKeyReusedError'
}
