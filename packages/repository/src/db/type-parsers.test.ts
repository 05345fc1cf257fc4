import { describe, expect, it } from 'vitest'
import { parseInt8, parseInt8Array } from './type-parsers.ts'

describe('parseInt8', () => {
  it('reads ids as numbers up to the largest safe integer', () => {
    expect(parseInt8('0')).toBe(0)
    expect(parseInt8('-17')).toBe(-17)
    expect(parseInt8('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('refuses a value a number cannot hold exactly instead of rounding it', () => {
    expect(() => parseInt8('9007199254740992')).toThrow(RangeError)
    expect(() => parseInt8('-9223372036854775808')).toThrow(RangeError)
  })
})

describe('parseInt8Array', () => {
  it('reads empty arrays, values and NULLs', () => {
    expect(parseInt8Array('{}')).toEqual([])
    expect(parseInt8Array('{1,22,333}')).toEqual([1, 22, 333])
    expect(parseInt8Array('{NULL,5}')).toEqual([null, 5])
  })

  it('refuses text that is not an array literal', () => {
    expect(() => parseInt8Array('1,2')).toThrow(TypeError)
  })
})
