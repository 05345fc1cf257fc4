/**
 * Bearer JWTs (HS256, `JWT_SECRET`) carrying the tenant: `org` (the
 * organization id, 1–64 of `[A-Za-z0-9_-]`), `role` (`viewer`, `editor` or
 * `admin`) and `sub`. A missing, malformed, expired or forged token, or one
 * whose claims are off, is a 401; what the role may do is the repositories'
 * business (403).
 */
import { ROLES, type TenantScope } from '@serverless-dal/repository'
import type { MiddlewareHandler } from 'hono'
import { sign, verify } from 'hono/jwt'
import { problem } from './problems.ts'
import { VerifiedTokens } from './verified-tokens.ts'

/** The embedded default's secret: for `npm start` and tests on a laptop, never for a deployment. */
export const DEVELOPMENT_JWT_SECRET = 'serverless-dal-development-secret-not-for-production'

const ORG = /^[A-Za-z0-9_-]{1,64}$/

export type AuthVariables = { scope: TenantScope; subject: string | undefined }

export function authenticate(secret: string): MiddlewareHandler<{ Variables: AuthVariables }> {
  const verified = new VerifiedTokens()
  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header)?.[1]
    if (!token) return unauthorized('a Bearer token is required')
    let claims = verified.get(token)
    if (!claims) {
      try {
        claims = await verify(token, secret, 'HS256')
      } catch {
        return unauthorized('the token is invalid or expired')
      }
      verified.remember(token, claims)
    }
    const { org, role, sub } = claims
    if (typeof org !== 'string' || !ORG.test(org)) return unauthorized('the token has no valid "org" claim')
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      return unauthorized('the token has no valid "role" claim')
    }
    c.set('scope', { orgId: org, role: role as TenantScope['role'] })
    c.set('subject', typeof sub === 'string' ? sub : undefined)
    await next()
  }
}

function unauthorized(detail: string): Response {
  return problem(401, detail, { 'www-authenticate': 'Bearer' })
}

/** A token for local use (`npm run token`), valid for `ttlSeconds`. */
export function signToken(
  secret: string,
  claims: { org: string; role: TenantScope['role']; sub?: string },
  ttlSeconds = 24 * 3600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return sign({ sub: 'dev', ...claims, iat: now, exp: now + ttlSeconds }, secret, 'HS256')
}
