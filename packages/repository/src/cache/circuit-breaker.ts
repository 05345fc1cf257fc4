/**
 * A circuit breaker for a dependency the caller can do without (Redis for
 * the cache): after `failureThreshold` failures in a row it opens and calls
 * are refused at once for `cooldownMs`; then one trial call is let through
 * (half-open), whose success closes it again.
 */
export interface CircuitBreakerOptions {
  /** @default 5 */
  failureThreshold: number
  /** @default 5_000 */
  cooldownMs: number
  /** @default Date.now */
  now?: () => number
}

export type BreakerState = 'closed' | 'open' | 'half-open'

export class CircuitBreaker {
  readonly #options: Required<CircuitBreakerOptions>
  #failures = 0
  #openedAt: number | undefined
  #trialInFlight = false
  /** Times the breaker went from closed (or half-open) to open. */
  openings = 0

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.#options = { failureThreshold: 5, cooldownMs: 5_000, now: Date.now, ...options }
  }

  get state(): BreakerState {
    if (this.#openedAt === undefined) return 'closed'
    return this.#options.now() - this.#openedAt >= this.#options.cooldownMs ? 'half-open' : 'open'
  }

  /** Whether a call may go through now; in half-open state only one trial at a time. */
  allows(): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'open' || this.#trialInFlight) return false
    this.#trialInFlight = true
    return true
  }

  succeeded(): void {
    this.#failures = 0
    this.#openedAt = undefined
    this.#trialInFlight = false
  }

  /** Records a failure; returns true when this failure opened the breaker. */
  failed(): boolean {
    this.#trialInFlight = false
    this.#failures += 1
    const wasOpen = this.#openedAt !== undefined
    if (!wasOpen && this.#failures < this.#options.failureThreshold) return false
    this.#openedAt = this.#options.now() // a failed half-open trial restarts the cooldown
    if (!wasOpen) this.openings += 1
    return !wasOpen
  }
}
