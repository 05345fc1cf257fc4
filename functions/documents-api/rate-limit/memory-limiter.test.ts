/** The memory limiter's fixed windows on a fake clock: the limit, the reset, one organization apart from another, the bound. */
import { describe, expect, it } from 'vitest'
import { MemoryRateLimiter } from './memory-limiter.ts'

function clocked(requests: number, windowS: number, options: { maxOrganizations?: number } = {}) {
  const clock = { now: 1_000_000 * windowS * 1000 } // the start of a window
  const limiter = new MemoryRateLimiter({ requests, windowS }, { ...options, now: () => clock.now })
  return { clock, limiter }
}

describe('the memory rate limiter', () => {
  it('admits the limit per window, then refuses until the window ends, counting what it refuses', async () => {
    const { clock, limiter } = clocked(3, 10)
    const start = clock.now
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(await limiter.limit('flooder'))
    expect(answers.map((a) => a.outcome)).toEqual(['allowed', 'allowed', 'allowed', 'limited', 'limited'])
    expect(answers.map((a) => ('remaining' in a ? a.remaining : undefined))).toEqual([2, 1, 0, 0, 0])
    expect(answers.every((a) => 'resetAt' in a && a.resetAt === start + 10_000)).toBe(true)

    clock.now = start + 9_999 // still this window
    expect((await limiter.limit('flooder')).outcome).toBe('limited')
    clock.now = start + 10_000 // the next one: counted afresh
    expect(await limiter.limit('flooder')).toEqual({
      outcome: 'allowed',
      limit: 3,
      remaining: 2,
      resetAt: start + 20_000,
    })
  })

  it('counts each organization alone', async () => {
    const { limiter } = clocked(1, 60)
    expect((await limiter.limit('flooder')).outcome).toBe('allowed')
    expect((await limiter.limit('flooder')).outcome).toBe('limited')
    expect((await limiter.limit('bystander')).outcome).toBe('allowed')
  })

  it('aligns windows on the clock, so a window that began earlier ends when the clock says', async () => {
    const { clock, limiter } = clocked(1, 60)
    clock.now += 45_000
    const first = await limiter.limit('late')
    expect(first).toMatchObject({ outcome: 'allowed', resetAt: clock.now + 15_000 })
  })

  it('keeps at most maxOrganizations, forgetting the least recently seen', async () => {
    const { limiter } = clocked(1, 60, { maxOrganizations: 100 })
    await limiter.limit('flooder')
    for (let i = 0; i < 99; i++) await limiter.limit(`org-${i}`)
    expect((await limiter.limit('flooder')).outcome).toBe('limited') // seen again: the most recent now
    for (let i = 99; i < 1_000; i++) await limiter.limit(`org-${i}`)
    expect(limiter.size).toBe(100)
    expect((await limiter.limit('flooder')).outcome).toBe('allowed') // forgotten: counted afresh
  })
})
