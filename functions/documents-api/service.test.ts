import { describe, expect, it } from 'vitest'
import { DEVELOPMENT_JWT_SECRET } from './http/auth.ts'
import { localJwtSecret } from './http/jwt-secret.ts'
import { deployedJwtSecret } from './service.ts'

const STRONG = 'a-secret-of-at-least-thirty-two-bytes'

describe('the JWT secret', () => {
  it('refuses a deployment without a database URL, or without a secret of 32 bytes', () => {
    expect(() => deployedJwtSecret({})).toThrow('DATABASE_URL is not configured')
    expect(() => deployedJwtSecret({ DATABASE_URL: 'postgres://x' })).toThrow('JWT_SECRET is not configured')
    expect(() => deployedJwtSecret({ DATABASE_URL: 'postgres://x', JWT_SECRET: '' })).toThrow(
      'JWT_SECRET is not configured',
    )
    expect(() => deployedJwtSecret({ DATABASE_URL: 'postgres://x', JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/)
    expect(deployedJwtSecret({ DATABASE_URL: 'postgres://x', JWT_SECRET: STRONG })).toBe(STRONG)
  })

  it('lets npm start use the development secret on the embedded default only', () => {
    expect(localJwtSecret({})).toEqual({ secret: DEVELOPMENT_JWT_SECRET, development: true })
    expect(() => localJwtSecret({ DATABASE_URL: 'postgres://db' })).toThrow(/embedded PGlite default only/)
    expect(localJwtSecret({ DATABASE_URL: 'postgres://db', JWT_SECRET: STRONG })).toEqual({
      secret: STRONG,
      development: false,
    })
    expect(() => localJwtSecret({ JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/)
  })
})
