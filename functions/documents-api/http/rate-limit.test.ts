/** The RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-06) of a decision. */
import { describe, expect, it } from 'vitest'
import { rateLimitFields } from './rate-limit.ts'

describe('RateLimit fields', () => {
  it('say the policy, what is left, and the whole seconds until the window ends, at least 1', () => {
    const decision = { outcome: 'allowed' as const, limit: 100, remaining: 37, resetAt: 60_000 }
    expect(rateLimitFields({ requests: 100, windowS: 60 }, decision, 36_500)).toEqual({
      'ratelimit-policy': '100;w=60',
      'ratelimit-limit': '100',
      'ratelimit-remaining': '37',
      'ratelimit-reset': '24',
    })
    expect(rateLimitFields({ requests: 100, windowS: 60 }, decision, 59_999.5)['ratelimit-reset']).toBe('1')
    expect(rateLimitFields({ requests: 100, windowS: 60 }, decision, 60_000)['ratelimit-reset']).toBe('1')
  })
})
