import { afterEach, describe, expect, it, vi } from 'vitest'
import { VerifiedTokens } from './verified-tokens.ts'

afterEach(() => vi.useRealTimers())

describe('VerifiedTokens: the isolate remembers tokens that verified', () => {
  it("answers a remembered token's claims, and nothing for a token it was not given", () => {
    const tokens = new VerifiedTokens()
    const claims = { org: 'acme', role: 'viewer', exp: Math.floor(Date.now() / 1000) + 3600 }
    tokens.remember('a.b.c', claims)
    expect(tokens.get('a.b.c')).toBe(claims)
    expect(tokens.get('a.b.d')).toBeUndefined()
  })

  it('never answers a token at or past its exp, however recently it verified', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    const tokens = new VerifiedTokens()
    const exp = Math.floor(Date.now() / 1000) + 5
    tokens.remember('a.b.c', { org: 'acme', role: 'viewer', exp })
    vi.setSystemTime(exp * 1000 - 1)
    expect(tokens.get('a.b.c')).toBeDefined()
    vi.setSystemTime(exp * 1000)
    expect(tokens.get('a.b.c')).toBeUndefined()
  })

  it('does not remember a token that has already expired', () => {
    const tokens = new VerifiedTokens()
    tokens.remember('a.b.c', { org: 'acme', role: 'viewer', exp: Math.floor(Date.now() / 1000) - 1 })
    expect(tokens.get('a.b.c')).toBeUndefined()
  })

  it('is bounded: past 10,000 tokens the least recently used are forgotten', () => {
    const tokens = new VerifiedTokens()
    const exp = Math.floor(Date.now() / 1000) + 3600
    for (let i = 0; i <= 10_000; i++) tokens.remember(`t.${i}.x`, { exp })
    expect(tokens.get('t.0.x')).toBeUndefined()
    expect(tokens.get('t.1.x')).toBeDefined()
    expect(tokens.get('t.10000.x')).toBeDefined()
  })
})
