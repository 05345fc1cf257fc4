/**
 * Security headers on every answer (`hono/secure-headers`: nosniff, no
 * framing, no referrer, HSTS, same-origin resource and opener policies).
 * JSON answers also get a Content-Security-Policy that allows nothing — an
 * API answer is never a page, so if a browser is tricked into rendering one
 * it runs no script and loads nothing (OWASP's advice for REST services).
 *
 * The API reference (`/docs`) is the one page: it sets its own policy,
 * `DOCS_CSP`, which lets its scripts and styles come from this service only —
 * no CDN, no inline script.
 */
import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

export function apiSecureHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: 'DENY',
    // a header the route set itself (the /docs page's own CSP) is kept
    overwrite: false,
  })
}

/**
 * The `/docs` page: its scripts, styles and the document it renders come
 * from this origin, and nothing is inline (Swagger UI renders under it with
 * no violation: the docs page test listens for them); its icons are `data:`
 * images in its stylesheet.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')
