/**
 * Bearer JWTs (HS256, `JWT_SECRET`) carrying the tenant: `org` (the
 * organization id, 1–64 of `[A-Za-z0-9_-]`), `role` (`viewer`, `editor` or
 * `admin`) and `sub`. Every token must expire (`exp`) within `maxLifetimeS`
 * of being issued (24 h by default), and name the issuer and audience when
 * they are configured. A missing, malformed, expired or forged token, or one
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

export interface TokenRules {
  /** The longest a token may live, `exp` − `iat` (or − now without `iat`). @default 86_400 */
  maxLifetimeS?: number
  /** When set, `iss` must be it. */
  issuer?: string
  /** When set, `aud` must be or contain it. */
  audience?: string
}

export const DEFAULT_MAX_LIFETIME_S = 24 * 3600

export function authenticate(secret: string, rules: TokenRules = {}): MiddlewareHandler<{ Variables: AuthVariables }> {
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
      const refused = refusal(claims, rules)
      if (refused) return unauthorized(refused)
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

/** Why a verified token is still refused: no expiry, too long a life, another issuer or audience. */
function refusal(claims: Record<string, unknown>, rules: TokenRules): string | undefined {
  const { exp, iat, iss, aud } = claims
  if (typeof exp !== 'number') return 'the token has no "exp" claim: tokens must expire'
  const issuedAt = typeof iat === 'number' ? iat : Math.floor(Date.now() / 1000)
  if (exp - issuedAt > (rules.maxLifetimeS ?? DEFAULT_MAX_LIFETIME_S)) return 'the token lives longer than allowed'
  if (rules.issuer !== undefined && iss !== rules.issuer) return 'the token has another issuer'
  const audiences = Array.isArray(aud) ? aud : [aud]
  if (rules.audience !== undefined && !audiences.includes(rules.audience)) return 'the token is for another audience'
  return undefined
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
