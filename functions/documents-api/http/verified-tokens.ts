/**
 * Verifying an HS256 token costs an HMAC through Web Crypto, key import
 * included: a sizeable share of a cached read. The same token string comes
 * back request after request, so successful verifications are remembered —
 * bounded in number, for at most a minute, and never past the token's `exp`.
 * Only exact strings that verified are remembered; anything else is verified.
 */
import { BoundedLru } from '@serverless-dal/repository'

const REMEMBER_MS = 60_000
const MAX_TOKENS = 10_000

export class VerifiedTokens {
  readonly #claims = new BoundedLru<string, Record<string, unknown>>({
    maxEntries: MAX_TOKENS,
    now: Date.now, // the clock `exp` is read against
  })

  get(token: string): Record<string, unknown> | undefined {
    const claims = this.#claims.get(token)
    if (claims && typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) {
      this.#claims.delete(token)
      return undefined
    }
    return claims
  }

  remember(token: string, claims: Record<string, unknown>): void {
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 - Date.now() : REMEMBER_MS
    if (exp > 0) this.#claims.set(token, claims, Math.min(exp, REMEMBER_MS))
  }
}
