/**
 * What a browser needs of the API and what protects it there: CORS from
 * `CORS_ORIGINS` (a preflight needs no token and costs no rate limit, an
 * allowed origin reads the headers a client needs, another origin reads
 * nothing, and unset there is no CORS at all), and security headers on every
 * answer — success, refusal, error — with the `/docs` page's own policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, apiOver } from '../../support/api.ts'
import { orgId, pgliteBackend, type RepositoryBackend } from '../../support/repository-backends.ts'

const APP = 'https://app.example'
const OTHER = 'https://evil.example'

let backend: RepositoryBackend
let api: Api
let withoutCors: Api
beforeAll(async () => {
  backend = pgliteBackend()
  await backend.setup()
  api = apiOver(backend, undefined, {
    CORS_ORIGINS: `${APP}, http://localhost:5173`,
    RATE_LIMIT_REQUESTS: '2',
    RATE_LIMIT_WINDOW_S: '3600',
  })
  withoutCors = apiOver(backend)
})
afterAll(() => backend?.teardown())

const preflight = (target: Api, path: string, origin: string, method = 'POST') =>
  target.request(path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    },
  })

describe('CORS from CORS_ORIGINS', () => {
  it('answers a preflight from a listed origin without a token, and never counts it against the rate limit', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await preflight(api, '/documents', APP)
      expect(answer.status).toBe(204)
      expect(answer.headers.get('access-control-allow-origin')).toBe(APP)
      expect(answer.headers.get('access-control-allow-methods')?.split(',')).toEqual(
        expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']),
      )
      const allowed = answer.headers.get('access-control-allow-headers')?.toLowerCase().split(',')
      expect(allowed).toEqual(
        expect.arrayContaining([
          'authorization',
          'content-type',
          'if-match',
          'idempotency-key',
          'consistency-token',
          'cache-control',
        ]),
      )
      expect(Number(answer.headers.get('access-control-max-age'))).toBeGreaterThan(0)
      expect(answer.headers.get('vary')).toContain('Origin')
      expect(answer.headers.get('ratelimit-remaining')).toBeNull()
    }
    // five preflights later the organization's first request is still its first
    const client = await api.client(orgId('cors'), 'editor')
    const created = await client.post('/documents', { title: 'from a browser' }, { origin: APP })
    expect(created.status).toBe(201)
    expect(created.headers.get('ratelimit-remaining')).toBe('1')
  })

  it('lets a listed origin read the headers a client needs', async () => {
    const client = await api.client(orgId('cors-read'), 'editor')
    const created = await client.post('/documents', { title: 'exposed' }, { origin: 'http://localhost:5173' })
    expect(created.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    expect(created.headers.get('vary')).toContain('Origin')
    const exposed = created.headers.get('access-control-expose-headers')?.toLowerCase().split(',')
    expect(exposed).toEqual(
      expect.arrayContaining([
        'etag',
        'location',
        'consistency-token',
        'x-request-id',
        'cache-status',
        'age',
        'retry-after',
        'ratelimit-policy',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'idempotent-replayed',
      ]),
    )
    // a refusal is readable too: the browser shows the client its 401, not a CORS error
    const refused = await api.request('/documents', { headers: { origin: APP } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP)
  })

  it('gives another origin nothing to read, preflight or request', async () => {
    const answer = await preflight(api, '/documents', OTHER)
    expect(answer.headers.get('access-control-allow-origin')).toBeNull()
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull()
    const client = await api.client(orgId('cors-other'), 'viewer')
    const read = await client.get('/documents', { origin: OTHER })
    expect(read.status).toBe(200) // the server answers; the browser keeps it from the page
    expect(read.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('is off when CORS_ORIGINS is unset: no CORS headers, and a preflight is an unauthenticated request', async () => {
    const answer = await preflight(withoutCors, '/documents', APP)
    expect(answer.status).toBe(401)
    expect(answer.headers.get('access-control-allow-origin')).toBeNull()
    const ping = await withoutCors.request('/ping', { headers: { origin: APP } })
    expect(ping.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('allows every origin with "*" alone, which credentials never go with', async () => {
    const open = apiOver(backend, undefined, { CORS_ORIGINS: '*' })
    const answer = await preflight(open, '/documents', OTHER)
    expect(answer.headers.get('access-control-allow-origin')).toBe('*')
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull()
    expect(() => apiOver(backend, undefined, { CORS_ORIGINS: `*, ${APP}` })).toThrow(/CORS_ORIGINS/)
  })
})

describe('security headers', () => {
  const SECURE = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=15552000; includeSubDomains',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  }
  const headersOf = (response: Response) => Object.fromEntries(response.headers)

  it('are on every answer: a success, a refusal, a route that does not exist, a failed validation', async () => {
    const client = await api.client(orgId('secure'), 'viewer')
    const answers = [
      await api.request('/ping'),
      await api.request('/openapi.json'),
      await client.get('/documents'),
      await api.request('/documents'), // 401
      await api.request('/nowhere'), // 404
      await client.get('/documents?limit=0'), // 400
    ]
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 404, 400])
    for (const answer of answers) {
      expect(headersOf(answer)).toMatchObject(SECURE)
      // an API answer is never a page: if a browser renders one, it runs and loads nothing
      expect(answer.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'")
      expect(answer.headers.get('x-powered-by')).toBeNull()
    }
  })

  it('give /docs a policy of its own: scripts and styles from this origin only, nothing inline', async () => {
    const page = await api.request('/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(headersOf(page)).toMatchObject(SECURE)
    const policy = Object.fromEntries(
      (page.headers.get('content-security-policy') ?? '').split('; ').map((directive) => {
        const [name, ...values] = directive.split(' ')
        return [name, values.join(' ')]
      }),
    )
    expect(policy).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'self'",
      'frame-ancestors': "'none'",
    })
    expect(JSON.stringify(policy)).not.toMatch(/unsafe|https?:/)
    const html = await page.text()
    expect(html).not.toMatch(/<script>|<style|https?:\/\//) // nothing inline, nothing from elsewhere
    const start = await api.request('/docs/start.js')
    expect(await start.text()).toContain('validatorUrl: null') // Swagger UI's online validator would send the document away
  })

  it('leave /docs out on Lambda, whose package is the bundle alone; /openapi.json is there', async () => {
    const lambda = apiOver(backend, undefined, {}, 'lambda')
    expect((await lambda.request('/docs')).status).toBe(404)
    expect((await lambda.request('/openapi.json')).status).toBe(200)
  })
})
