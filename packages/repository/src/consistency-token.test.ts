import { describe, expect, it } from 'vitest'
import { formatToken, parseToken } from './consistency-token.ts'

describe('consistency tokens', () => {
  it('carry the write mark of one organization, in under 200 bytes', () => {
    const token = formatToken('acme', 1_764_000_000_000_123)
    expect(token).toBe('c1.acme.1764000000000123')
    expect(parseToken(token, 'acme')).toBe(1_764_000_000_000_123)
    expect(parseToken(formatToken('acme', 'database'), 'acme')).toBe('database')
    expect(formatToken('x'.repeat(64), 2 ** 53 - 1).length).toBeLessThan(200)
  })

  it("ask nothing of another organization's reads, nor when they do not parse", () => {
    const token = formatToken('acme', 42)
    expect(parseToken(token, 'globex')).toBeUndefined()
    for (const bad of [
      '',
      'c1.acme',
      'c2.acme.42',
      'c1.acme.-1',
      'c1.acme.4.2',
      'c1.acme.x',
      `c1.acme.${'9'.repeat(300)}`,
    ]) {
      expect(parseToken(bad, 'acme')).toBeUndefined()
    }
    expect(parseToken(undefined, 'acme')).toBeUndefined()
  })
})
