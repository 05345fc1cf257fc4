/**
 * Who may use the Neon stand-in. It opens sessions on a Postgres that trusts
 * local connections, often as a superuser who can read the machine's files, so
 * whatever reaches it owns the database — and every local process and every
 * web page in the developer's browser can reach 127.0.0.1. Three checks keep
 * it to the processes that were given its URLs:
 *
 * - a secret, fresh per start, as the first path segment of every route but
 *   `/health`. The URLs the stand-in returns carry it, and the Neon driver uses
 *   them as they are (`wsProxy` appends `?address=`, `fetchEndpoint` is taken
 *   whole), so no client changes; a page cannot guess it.
 * - `Host` must name this listener: a page on a name re-pointed at 127.0.0.1
 *   (DNS rebinding) is same-origin with itself and sends its own name.
 * - `Origin`, when sent, must be a local page. Browsers send it on every
 *   cross-site WebSocket and fetch, and WebSockets are outside CORS: nothing
 *   else would stop a cross-site page from opening a tunnel.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** What a request may do: a route inside the secret, or a refusal to answer with. */
export type Admission =
  | { admitted: true; route: string; search: URLSearchParams }
  | { admitted: false; status: number; message: string }

/** URL-safe, so it can stand in a path unencoded; long enough not to be guessed. */
const SECRET_SHAPE = /^[\w-]{16,}$/
const LOCAL_NAMES = ['localhost', '127.0.0.1', '[::1]']
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i
/** A liveness probe tells nothing, so it needs no secret (the Host and Origin checks still apply). */
const PUBLIC_ROUTES = new Set(['/health'])
const WRONG_SECRET =
  'this Neon stand-in takes only the URLs it printed at its start (they carry a per-start secret); ' +
  'export NEON_WS_PROXY and NEON_HTTP_ENDPOINT again from this run of npm run services'

function assertSecretShape(secret: string): void {
  if (!SECRET_SHAPE.test(secret)) {
    throw new Error('the secret must be at least 16 characters of A-Z, a-z, 0-9, _ and -')
  }
}

/** `host` as it appears in a URL and a Host header: IPv6 literals bracketed. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

export interface Access {
  /** The one given, or 32 random bytes as base64url (43 characters). */
  readonly secret: string
  admit(request: IncomingMessage): Admission
}

/** `port` is read at each request, so the access can exist before the server listens. */
export function createAccess(options: { secret?: string | undefined; host: string; port: () => number }): Access {
  const secret = options.secret ?? randomBytes(32).toString('base64url')
  assertSecretShape(secret)
  const expected = digest(secret)
  const names = [options.host, ...LOCAL_NAMES].map((name) => urlHost(name).toLowerCase())

  function admit(request: IncomingMessage): Admission {
    const hosts = names.map((name) => `${name}:${options.port()}`)
    if (!hosts.includes(request.headers.host?.toLowerCase() ?? '')) {
      return { admitted: false, status: 403, message: `the Host header must be one of ${hosts.join(', ')}` }
    }
    const origin = request.headers.origin
    if (origin !== undefined && !LOCAL_ORIGIN.test(origin)) {
      return { admitted: false, status: 403, message: 'requests from web pages on other sites are refused' }
    }
    const url = new URL(request.url ?? '/', 'http://stand-in')
    if (PUBLIC_ROUTES.has(url.pathname)) return { admitted: true, route: url.pathname, search: url.searchParams }
    const [, given = '', ...rest] = url.pathname.split('/')
    if (!timingSafeEqual(digest(given), expected)) return { admitted: false, status: 401, message: WRONG_SECRET }
    return { admitted: true, route: `/${rest.join('/')}`, search: url.searchParams }
  }
  return { secret, admit }
}

/** Equal-length digests, so the comparison takes the same time whatever the candidate. */
function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}
