import { describe, expect, it } from 'vitest'
import { ForbiddenError, ValidationError } from '../errors.ts'
import { assertCan, assertValidScope, can } from './scope.ts'

describe('tenant scopes', () => {
  it('accepts a well-formed organization and role', () => {
    expect(assertValidScope({ orgId: 'acme_Corp-1', role: 'viewer' })).toEqual({ orgId: 'acme_Corp-1', role: 'viewer' })
  })

  it.each([[''], ['x'.repeat(65)], ['has space'], ["o'brien"], ['acme;drop']])('refuses organization %j', (orgId) => {
    expect(() => assertValidScope({ orgId, role: 'admin' })).toThrow(ValidationError)
  })

  it('refuses an unknown role', () => {
    expect(() => assertValidScope({ orgId: 'acme', role: 'owner' as 'admin' })).toThrow(ValidationError)
  })

  it('lets viewers read, editors write, and only admins delete', () => {
    const table = (['viewer', 'editor', 'admin'] as const).map((role) => [
      role,
      can({ orgId: 'a', role }, 'read'),
      can({ orgId: 'a', role }, 'write'),
      can({ orgId: 'a', role }, 'delete'),
    ])
    expect(table).toEqual([
      ['viewer', true, false, false],
      ['editor', true, true, false],
      ['admin', true, true, true],
    ])
    expect(() =>
      assertCan({ orgId: 'a', role: 'editor' }, 'delete', { repository: 'documents', operation: 'delete' }),
    ).toThrow(ForbiddenError)
  })
})
