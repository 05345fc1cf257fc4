import { describe, expect, it } from 'vitest'
import { toWireValue } from './pg-values.ts'

describe('parameters in the text format', () => {
  it('sends what node-postgres would for each kind of value', () => {
    expect(toWireValue(null)).toBeNull()
    expect(toWireValue(undefined)).toBeNull()
    expect(toWireValue(42)).toBe('42')
    expect(toWireValue(10n)).toBe('10')
    expect(toWireValue(true)).toBe('true')
    expect(toWireValue('text')).toBe('text')
    expect(toWireValue(new Date('2026-11-27T04:20:00.123Z'))).toBe('2026-11-27T04:20:00.123Z')
    expect(toWireValue({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}')
    expect(toWireValue(new Uint8Array([0, 15, 255]))).toBe('\\x000fff')
  })

  it('writes arrays as array literals, quoting and escaping every element', () => {
    expect(toWireValue([1, 2, 3])).toBe('{"1","2","3"}')
    expect(toWireValue(['a b', 'c"d', 'e\\f', null])).toBe('{"a b","c\\"d","e\\\\f",NULL}')
    expect(toWireValue([[1, 2], [3]])).toBe('{{"1","2"},{"3"}}')
    expect(toWireValue([])).toBe('{}')
  })
})
