import { describe, expect, it } from 'vitest'
import { CircuitBreaker } from './circuit-breaker.ts'

describe('CircuitBreaker', () => {
  it('opens after the threshold, refuses during the cooldown, then lets one trial through', () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now })
    expect([breaker.failed(), breaker.failed()]).toEqual([false, false])
    expect(breaker.allows()).toBe(true)
    expect(breaker.failed()).toBe(true) // the third failure opens it
    expect(breaker.state).toBe('open')
    expect(breaker.allows()).toBe(false)
    now = 1000
    expect(breaker.state).toBe('half-open')
    expect(breaker.allows()).toBe(true)
    expect(breaker.allows()).toBe(false) // one trial at a time
    breaker.succeeded()
    expect(breaker.state).toBe('closed')
    expect(breaker.openings).toBe(1)
  })

  it('re-opens when the trial fails, without counting a new opening', () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100, now: () => now })
    expect(breaker.failed()).toBe(true)
    now = 100
    expect(breaker.allows()).toBe(true)
    expect(breaker.failed()).toBe(false)
    expect(breaker.state).toBe('open')
    expect(breaker.openings).toBe(1)
  })

  it('forgets failures after a success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 })
    breaker.failed()
    breaker.succeeded()
    expect(breaker.failed()).toBe(false)
    expect(breaker.state).toBe('closed')
  })
})
