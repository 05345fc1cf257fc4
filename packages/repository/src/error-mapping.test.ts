import { describe, expect, it } from 'vitest'
import { isDatabaseError, toRepositoryError } from './error-mapping.ts'
import {
  ConflictError,
  ForbiddenError,
  ForeignKeyError,
  NotFoundError,
  RepositoryError,
  TransientError,
  ValidationError,
} from './errors.ts'

const context = { repository: 'documents', operation: 'create' }

describe('toRepositoryError', () => {
  it.each([
    ['23505', ConflictError],
    ['23503', ForeignKeyError],
    ['23514', ValidationError],
    ['23502', ValidationError],
    ['22P02', ValidationError],
    ['25006', ForbiddenError],
    ['42501', ForbiddenError],
    ['57014', TransientError],
    ['40001', TransientError],
    ['40P01', TransientError],
    ['08006', TransientError],
    ['57P01', TransientError],
    ['XX000', RepositoryError],
  ])('maps SQLSTATE %s to %s', (code, expected) => {
    const mapped = toRepositoryError({ code, message: 'boom', detail: 'Key (title)=(secret) exists' }, context)
    expect(mapped).toBeInstanceOf(expected)
    expect(mapped).toMatchObject({ repository: 'documents', operation: 'create' })
    expect(mapped.message).not.toContain('secret')
  })

  it('names the constraint but never the row values', () => {
    const mapped = toRepositoryError(
      { code: '23505', constraint: 'topics_organization_id_name_key', detail: 'Key (name)=(private)' },
      context,
    )
    expect(mapped).toBeInstanceOf(ConflictError)
    expect(mapped.message).toBe('a unique value is already taken (topics_organization_id_name_key)')
    expect((mapped as ConflictError).reason).toBe('unique')
  })

  it('maps a lost connection without a SQLSTATE to Transient, keeping the cause', () => {
    const cause = new Error('Connection terminated unexpectedly')
    const mapped = toRepositoryError(cause, context)
    expect(mapped).toBeInstanceOf(TransientError)
    expect(mapped.cause).toBe(cause)
  })

  it('maps the WebSocket error event the Neon driver rejects with when a socket dies mid-statement', () => {
    const event = { type: 'error', target: {}, message: '' }
    expect(isDatabaseError(event)).toBe(true)
    expect(toRepositoryError(event, context)).toBeInstanceOf(TransientError)
    expect(isDatabaseError({ type: 'error' })).toBe(false) // not an event: the caller's own object
  })

  it('passes repository errors through unchanged', () => {
    const original = new NotFoundError('no document 7', context)
    expect(toRepositoryError(original, {})).toBe(original)
  })
})
