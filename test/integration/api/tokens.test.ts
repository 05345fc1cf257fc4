/**
 * Token attacks: a token that never expires, one that lives a year, one from
 * another issuer or for another audience — each signed with the right
 * secret, each refused with a 401. A deployment whose secret is short, or
 * `npm start` on a real database without one, does not start at all.
 */
import { sign } from 'hono/jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_JWT_SECRET, type Api, apiOver, problemOf } from '../../support/api.ts'
import { type CacheFixture, cacheFixture } from '../../support/cache-fixtures.ts'
import { runScript } from '../../support/processes.ts'

let fx: CacheFixture
let api: Api
let strict: Api
beforeAll(async () => {
  fx = await cacheFixture()
  api = apiOver(fx.backend)
  strict = apiOver(fx.backend, undefined, { JWT_ISSUER: 'https://auth.example', JWT_AUDIENCE: 'documents-api' })
})
afterAll(() => fx?.close())

const now = () => Math.floor(Date.now() / 1000)
const claims = { org: 'tokens', role: 'admin', sub: 'attacker' }
const bearer = async (payload: Record<string, unknown>) => ({
  authorization: `Bearer ${await sign(payload, API_JWT_SECRET, 'HS256')}`,
})

describe('tokens', () => {
  it('refuses a token without exp, and one that lives longer than the cap', async () => {
    const forever = await api.request('/documents', { headers: await bearer(claims) })
    expect(await problemOf(forever)).toMatchObject({ status: 401, detail: expect.stringContaining('"exp"') })
    const year = await api.request('/documents', {
      headers: await bearer({ ...claims, iat: now(), exp: now() + 365 * 24 * 3600 }),
    })
    expect(await problemOf(year)).toMatchObject({ status: 401, detail: 'the token lives longer than allowed' })
    const day = await api.request('/documents', { headers: await bearer({ ...claims, iat: now(), exp: now() + 3600 }) })
    expect(day.status).toBe(200)
  })

  it('checks iss and aud when they are configured', async () => {
    const base = { ...claims, iat: now(), exp: now() + 600 }
    const good = { ...base, iss: 'https://auth.example', aud: ['other', 'documents-api'] }
    expect((await strict.request('/documents', { headers: await bearer(good) })).status).toBe(200)
    for (const [bad, detail] of [
      [{ ...good, iss: 'https://evil.example' }, 'the token has another issuer'],
      [{ ...good, aud: 'other' }, 'the token is for another audience'],
      [base, 'the token has another issuer'],
    ] as const) {
      expect(await problemOf(await strict.request('/documents', { headers: await bearer(bad) }))).toMatchObject({
        status: 401,
        detail,
      })
    }
  })

  it('keeps npm start from signing with the published development secret on a real database', async () => {
    const refused = await runScript('functions/documents-api/node.ts', [], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/never-reached',
      JWT_SECRET: '',
    })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('the development secret is for the embedded PGlite default only')
  })
})
