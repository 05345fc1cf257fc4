/**
 * Which secret signs and verifies tokens, and when to refuse to start. A
 * deployed entry (Workers, Lambda) needs a database URL and a `JWT_SECRET` of
 * at least 32 bytes. `npm start` may use the published development secret
 * only on its embedded default (PGlite, no `DATABASE_URL`): with a real
 * database, anyone who read the README could mint an admin token.
 */
import { DEVELOPMENT_JWT_SECRET } from './auth.ts'

export const MIN_SECRET_BYTES = 32

/** A `JWT_SECRET` strong enough to sign with; throws why not. */
function strongSecret(secret: string): string {
  if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
    throw new Error(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes (a random string; openssl rand -hex 32)`)
  }
  return secret
}

/** The secret of a deployed entry, which refuses to serve without a database URL and a strong secret. */
export function deployedJwtSecret(env: { DATABASE_URL?: string; JWT_SECRET?: string }): string {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not configured')
  if (!env.JWT_SECRET) throw new Error('JWT_SECRET is not configured')
  return strongSecret(env.JWT_SECRET)
}

/** The secret of `npm start`: yours if set, the development one only on the embedded default. */
export function localJwtSecret(env: { DATABASE_URL?: string; JWT_SECRET?: string }): {
  secret: string
  development: boolean
} {
  if (env.JWT_SECRET) return { secret: strongSecret(env.JWT_SECRET), development: false }
  if (env.DATABASE_URL) {
    throw new Error('JWT_SECRET is not configured: the development secret is for the embedded PGlite default only')
  }
  return { secret: DEVELOPMENT_JWT_SECRET, development: true }
}
