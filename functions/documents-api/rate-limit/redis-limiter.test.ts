/**
 * When Redis fails or hangs, the limiter lets requests through (`failed-open`)
 * rather than failing them; it warns once, and after three failures in a row
 * stops asking Redis for a while, so an outage does not cost a timeout per
 * request. The limit itself against real Redis: test/integration/api/rate-limits.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RedisRateLimiter } from './redis-limiter.ts'
import type { ScriptClient } from './script-flags.ts'

const policy = { requests: 5, windowS: 60 }

function recordingLogger() {
  const warnings: Array<Record<string, unknown>> = []
  return {
    warnings,
    logger: { warn: (message: string, context: object) => warnings.push({ message, ...context }), error: () => {} },
  }
}

afterEach(() => vi.useRealTimers())

describe('the Redis rate limiter when Redis fails', () => {
  it('lets requests through, warns once, and stops asking Redis for five seconds after three failures', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    let calls = 0
    const failing: ScriptClient = {
      eval: () => {
        calls += 1
        return Promise.reject(new Error('fetch failed: connect ECONNREFUSED'))
      },
    }
    const { warnings, logger } = recordingLogger()
    const limiter = new RedisRateLimiter(policy, failing, { logger })
    const answers = []
    for (let i = 0; i < 10; i++) answers.push(await limiter.limit('acme'))
    expect(answers.every((answer) => answer.outcome === 'failed-open')).toBe(true)
    expect(calls).toBe(3)
    expect(warnings).toEqual([
      {
        message: 'rate limit not checked: requests go through',
        reason: expect.stringContaining('ECONNREFUSED'),
        failedOpen: 1,
      },
    ])

    vi.setSystemTime(Date.now() + 5_000) // the pause is over: Redis is asked again
    expect((await limiter.limit('acme')).outcome).toBe('failed-open')
    expect(calls).toBe(4)
    vi.setSystemTime(Date.now() + 60_000) // a minute later, one more warning, with the count since the last
    await limiter.limit('acme')
    expect(warnings).toHaveLength(2)
    expect(warnings[1]).toMatchObject({ failedOpen: 11 })
  })

  it('lets a request through when Redis does not answer within the timeout', async () => {
    const hanging: ScriptClient = { eval: () => new Promise(() => {}) }
    const { logger } = recordingLogger()
    const limiter = new RedisRateLimiter(policy, hanging, { timeoutMs: 50, logger })
    const started = performance.now()
    expect(await limiter.limit('acme')).toEqual({ outcome: 'failed-open', reason: 'Redis did not answer in time' })
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})
