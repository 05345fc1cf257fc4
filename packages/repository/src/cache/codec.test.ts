import { describe, expect, it } from 'vitest'
import { decodeValue, encodeValue } from './codec.ts'

describe('the cache codec', () => {
  it('round-trips dates, bigints, null, absent properties and nesting exactly', () => {
    const value = {
      id: 7,
      title: 'Ünïcode "quoted" \\ text',
      createdAt: new Date('2026-11-26T10:00:00.123Z'),
      big: 9007199254740993n,
      nothing: null,
      list: [new Date(0), null, 1.5, 'x', { nested: true }],
      summaries: [],
    }
    const decoded = decodeValue(encodeValue(value)) as typeof value
    expect(decoded).toEqual(value)
    expect(decoded.createdAt).toBeInstanceOf(Date)
    expect(typeof decoded.big).toBe('bigint')
    expect('absent' in decoded).toBe(false)
    expect(decodeValue(encodeValue({ a: undefined, b: null }))).toEqual({ b: null })
  })

  it('keeps text that looks like a tag as text', () => {
    const value = { $d: '2026-01-01', d: { date: 'x' } }
    expect(decodeValue(encodeValue(value))).toEqual(value)
  })

  it('writes text that is not JSON, so a client that parses JSON leaves it alone', () => {
    expect(() => JSON.parse(encodeValue({ a: 1 }))).toThrow()
    expect(() => decodeValue('{"a":1}')).toThrow(/not a cached value/)
  })
})
