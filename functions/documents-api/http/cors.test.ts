import { describe, expect, it } from 'vitest'
import { parseCorsOrigins } from './cors.ts'

describe('CORS_ORIGINS', () => {
  it('is off when unset or blank', () => {
    expect(parseCorsOrigins(undefined)).toBeUndefined()
    expect(parseCorsOrigins(' , ')).toBeUndefined()
    expect(parseCorsOrigins([])).toBeUndefined()
  })

  it('takes exact origins, comma-separated or as a list, and "*" alone', () => {
    expect(parseCorsOrigins('https://app.example, http://localhost:5173')).toEqual([
      'https://app.example',
      'http://localhost:5173',
    ])
    expect(parseCorsOrigins(['https://app.example:8443'])).toEqual(['https://app.example:8443'])
    expect(parseCorsOrigins('*')).toBe('*')
  })

  it.each([
    ['*, https://app.example', /cannot be listed with others/],
    ['https://app.example/', /not an origin/], // browsers send no trailing slash: it would never match
    ['https://app.example/path', /not an origin/],
    ['https://APP.example', /not an origin/], // nor upper case
    ['https://app.example:443', /not an origin/], // nor the default port
    ['app.example', /not an origin/],
    ['ftp://app.example', /not an origin/],
  ])('refuses %s, naming the variable', (value, reason) => {
    expect(() => parseCorsOrigins(value)).toThrow(/^CORS_ORIGINS: /)
    expect(() => parseCorsOrigins(value)).toThrow(reason)
  })
})
