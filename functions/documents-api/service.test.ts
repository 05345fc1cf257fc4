import { describe, expect, it } from 'vitest'
import { missingConfiguration } from './service.ts'

describe('missingConfiguration', () => {
  it('refuses a deployment without a database URL or a JWT secret', () => {
    expect(missingConfiguration({})).toBe('DATABASE_URL is not configured')
    expect(missingConfiguration({ DATABASE_URL: 'postgres://x' })).toBe('JWT_SECRET is not configured')
    expect(missingConfiguration({ DATABASE_URL: 'postgres://x', JWT_SECRET: '' })).toBe('JWT_SECRET is not configured')
    expect(missingConfiguration({ DATABASE_URL: 'postgres://x', JWT_SECRET: 's' })).toBeUndefined()
  })
})
