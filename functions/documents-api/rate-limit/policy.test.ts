/** RATE_LIMIT_REQUESTS and RATE_LIMIT_WINDOW_S: off when unset, a bad value refused by name. */
import { describe, expect, it } from 'vitest'
import { checkServiceEnv } from '../service.ts'
import { rateLimitPolicy } from './policy.ts'

describe('the rate limit policy', () => {
  it('is off when neither variable is set, or both are empty', () => {
    expect(rateLimitPolicy({})).toBeUndefined()
    expect(rateLimitPolicy({ RATE_LIMIT_REQUESTS: '', RATE_LIMIT_WINDOW_S: ' ' })).toBeUndefined()
  })

  it('takes whole numbers, with a window of 60 s when only the requests are set', () => {
    expect(rateLimitPolicy({ RATE_LIMIT_REQUESTS: '100', RATE_LIMIT_WINDOW_S: '10' })).toEqual({
      requests: 100,
      windowS: 10,
    })
    expect(rateLimitPolicy({ RATE_LIMIT_REQUESTS: ' 5 ' })).toEqual({ requests: 5, windowS: 60 })
  })

  it.each([
    ['RATE_LIMIT_REQUESTS', { RATE_LIMIT_REQUESTS: 'ten' }],
    ['RATE_LIMIT_REQUESTS', { RATE_LIMIT_REQUESTS: '0' }],
    ['RATE_LIMIT_REQUESTS', { RATE_LIMIT_REQUESTS: '-5' }],
    ['RATE_LIMIT_REQUESTS', { RATE_LIMIT_REQUESTS: '1.5' }],
    ['RATE_LIMIT_REQUESTS', { RATE_LIMIT_REQUESTS: '1e3' }],
    ['RATE_LIMIT_REQUESTS', { RATE_LIMIT_REQUESTS: '9999999999' }],
    ['RATE_LIMIT_WINDOW_S', { RATE_LIMIT_REQUESTS: '10', RATE_LIMIT_WINDOW_S: '0' }],
    ['RATE_LIMIT_WINDOW_S', { RATE_LIMIT_REQUESTS: '10', RATE_LIMIT_WINDOW_S: '1m' }],
    ['RATE_LIMIT_WINDOW_S', { RATE_LIMIT_WINDOW_S: '60' }],
  ])('refuses a bad value and names %s', (name, env) => {
    expect(() => rateLimitPolicy(env)).toThrow(name)
    expect(() => checkServiceEnv(env)).toThrow(name) // what every entry checks before it serves
  })
})
