import { describe, expect, it } from 'vitest'
import { deployedJwtSecret } from './service.ts'

describe('deployedJwtSecret', () => {
  it('refuses a deployment without a database URL or a JWT secret', () => {
    expect(() => deployedJwtSecret({})).toThrow('DATABASE_URL is not configured')
    expect(() => deployedJwtSecret({ DATABASE_URL: 'postgres://x' })).toThrow('JWT_SECRET is not configured')
    expect(() => deployedJwtSecret({ DATABASE_URL: 'postgres://x', JWT_SECRET: '' })).toThrow(
      'JWT_SECRET is not configured',
    )
    expect(deployedJwtSecret({ DATABASE_URL: 'postgres://x', JWT_SECRET: 's' })).toBe('s')
  })
})
