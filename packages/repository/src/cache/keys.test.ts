import { describe, expect, it } from 'vitest'
import { hash128 } from './hash.ts'
import { entryKey, generationKey, keyPrefix } from './keys.ts'

describe('cache keys', () => {
  it('are stable under key order and undefined-vs-absent, and differ for other values', () => {
    const a = entryKey('acme', 'documents', 'findMany', { filter: { status: 'draft' }, limit: 20, cursor: undefined })
    const b = entryKey('acme', 'documents', 'findMany', { limit: 20, filter: { status: 'draft' } })
    expect(a).toBe(b)
    expect(a).toBe('dal:k2:{acme}:documents:findMany:{"filter":{"status":"draft"},"limit":20}')
    expect(entryKey('acme', 'documents', 'findMany', { limit: 21, filter: { status: 'draft' } })).not.toBe(a)
    expect(entryKey('acme', 'documents', 'findMany', { ids: [1, 2] })).not.toBe(
      entryKey('acme', 'documents', 'findMany', { ids: [2, 1] }),
    )
  })

  it('include the organization, so two tenants never share an entry', () => {
    expect(entryKey('a', 'documents', 'findById', { id: 1 })).not.toBe(
      entryKey('b', 'documents', 'findById', { id: 1 }),
    )
    expect(generationKey('a', 'list:documents')).toBe('dal:k2:{a}:gen:list:documents')
  })

  it('hash long or unusual parameters into a bounded key', () => {
    const long = entryKey('acme', 'documents', 'findMany', { filter: { title: { contains: 'x'.repeat(10_000) } } })
    const spaced = entryKey('acme', 'documents', 'findMany', { filter: { title: { contains: 'a b' } } })
    expect(long).toMatch(/:#[0-9a-f]{32}$/)
    expect(spaced).toMatch(/:#[0-9a-f]{32}$/)
    expect(long.length).toBeLessThan(120)
  })

  it('hashes without collisions across many near-identical inputs', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 50_000; i++) seen.add(hash128(`{"filter":{"title":{"contains":"query ${i}"}}}`))
    expect(seen.size).toBe(50_000)
  })
})

describe('cache namespaces', () => {
  it('separate deployments sharing one Redis, and refuse a namespace that would break the key', () => {
    const staging = keyPrefix('staging')
    expect(entryKey('acme', 'documents', 'findById', { id: 1 }, staging)).toBe(
      'staging:k2:{acme}:documents:findById:{"id":1}',
    )
    expect(generationKey('acme', 'documents:1', staging)).toBe('staging:k2:{acme}:gen:documents:1')
    expect(entryKey('acme', 'documents', 'findById', { id: 1 })).toMatch(/^dal:k2:\{acme\}:/)
    for (const bad of ['', 'a:b', 'has space', 'x'.repeat(65)]) expect(() => keyPrefix(bad)).toThrow(/namespace/)
  })
})
