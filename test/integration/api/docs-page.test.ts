/**
 * The API reference at `/docs`, as a person sees it: `npm start`, then
 * headless Chromium (Debian's) loads the page, Swagger UI renders it from
 * `/openapi.json`, and every route of that document is on the page. The page
 * and everything it loads come from the service itself: no request leaves
 * the machine (any that tried would be blocked and fail the test), and its
 * Content-Security-Policy is never violated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HeadlessChromium, launchChromium } from '../../support/chromium.ts'
import { type EmbeddedServer, startEmbeddedServer } from '../../support/embedded-server.ts'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

describe('GET /docs in headless Chromium, served by npm start', () => {
  let embedded: EmbeddedServer
  let browser: HeadlessChromium
  let base: string
  beforeAll(async () => {
    ;[embedded, browser] = await Promise.all([startEmbeddedServer('docs'), launchChromium()])
    base = embedded.base
  })
  afterAll(async () => {
    await browser?.close()
    await embedded?.stop()
  })

  it('renders every route of /openapi.json from files the service serves, and nothing else is fetched', async () => {
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const routes = Object.entries(openapi.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort()
    expect(routes).toContain('GET /ping')
    expect(routes).toContain('GET /health')
    expect(routes.length).toBeGreaterThanOrEqual(11)

    const { context } = browser
    const fetched: string[] = []
    const leftTheMachine: string[] = []
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (url.protocol === 'data:' || LOCAL_HOSTS.has(url.hostname)) {
        fetched.push(url.pathname)
        return route.continue()
      }
      leftTheMachine.push(url.href)
      return route.abort('blockedbyclient')
    })
    const page = await context.newPage()
    const violations: string[] = []
    const errors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (error) => errors.push(error.message))
    await page.exposeFunction('reportViolation', (violation: string) => violations.push(violation))
    // (scripts that run in the page are strings: this project's types have no DOM)
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) =>
        reportViolation(event.violatedDirective + ' ' + event.blockedURI))`,
    })

    const response = await page.goto(`${base}/docs`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${routes.length}`, undefined, {
      timeout: 20_000,
    })
    const rendered = await page.$$eval('.opblock-summary', (summaries) =>
      summaries.map((summary) => {
        const method = summary.querySelector('.opblock-summary-method')?.textContent?.trim()
        const path = summary.querySelector('.opblock-summary-path')?.textContent?.trim()
        return `${method} ${path}`
      }),
    )
    expect([...rendered].sort()).toEqual(routes)
    expect(await page.title()).toBe('serverless-dal documents API')

    expect(leftTheMachine).toEqual([])
    expect(violations).toEqual([])
    expect(errors).toEqual([])
    expect(fetched).toEqual(
      expect.arrayContaining(['/docs', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/openapi.json']),
    )
    await page.close()
  })
})
