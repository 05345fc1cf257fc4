/** RATE_LIMIT_REQUESTS and RATE_LIMIT_WINDOW_S: off when unset, a bad value refused by name. */
import { describe, expect, it } from 'vitest'
import { loadServiceConfig } from '../config/load-config.ts'
import { rateLimitPolicy } from './policy.ts'

const policyOf = (env: Record<string, string>) => rateLimitPolicy(loadServiceConfig(env))

describe('the rate limit policy', () => {
  it('is off when neither variable is set, or both are empty', () => {
    expect(policyOf({})).toBeUndefined()
    expect(policyOf({ RATE_LIMIT_REQUESTS: '', RATE_LIMIT_WINDOW_S: ' ' })).toBeUndefined()
  })

  it('takes whole numbers, with a window of 60 s when only the requests are set', () => {
    expect(policyOf({ RATE_LIMIT_REQUESTS: '100', RATE_LIMIT_WINDOW_S: '10' })).toEqual({ requests: 100, windowS: 10 })
    expect(policyOf({ RATE_LIMIT_REQUESTS: ' 5 ' })).toEqual({ requests: 5, windowS: 60 })
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
    expect(() => loadServiceConfig(env)).toThrow(name) // what every entry checks before it serves
  })
})
