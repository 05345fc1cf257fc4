/**
 * Inside workerd: the Worker answers the `/docs` page and its start script
 * itself, with the page's own Content-Security-Policy (Swagger UI's files are
 * static assets in front of it: test/integration/dev-worker.test.ts), and
 * every answer carries the security headers; CORS stays off while
 * `CORS_ORIGINS` is unset.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

describe('the Worker for browsers', () => {
  it('answers /docs and its start script, under a policy that allows scripts from itself only', async () => {
    const page = await SELF.fetch('http://worker.test/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('<script src="docs/start.js"></script>')
    const start = await SELF.fetch('http://worker.test/docs/start.js')
    expect(start.status).toBe(200)
    expect(await start.text()).toContain('SwaggerUIBundle')
  })

  it('puts security headers on every answer and no CORS headers without CORS_ORIGINS', async () => {
    for (const path of ['/ping', '/documents', '/nowhere']) {
      const answer = await SELF.fetch(`http://worker.test${path}`, { headers: { origin: 'https://app.example' } })
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
      expect(answer.headers.get('strict-transport-security')).toContain('max-age=')
      expect(answer.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'")
      expect(answer.headers.get('access-control-allow-origin')).toBeNull()
    }
  })
})
