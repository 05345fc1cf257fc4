/**
 * The background work of one request scope — deferred cache stores, hot-key
 * records, refreshes — so that ending the scope waits for its own work and
 * never for another request's. Each piece is also handed to the runtime's
 * `waitUntil` where there is one (Workers), which keeps it alive after the
 * response.
 */
export class BackgroundWork {
  readonly #pending = new Set<Promise<unknown>>()
  readonly #waitUntil: ((work: Promise<unknown>) => void) | undefined

  constructor(waitUntil?: (work: Promise<unknown>) => void) {
    this.#waitUntil = waitUntil
  }

  /** Tracks `work` (its failure is the work's own business: it is swallowed here). */
  readonly add = (work: Promise<unknown>): void => {
    const tracked: Promise<unknown> = work.catch(() => {}).finally(() => this.#pending.delete(tracked))
    this.#pending.add(tracked)
    this.#waitUntil?.(tracked)
  }

  get size(): number {
    return this.#pending.size
  }

  /** Resolves when everything tracked so far, and anything it started, has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }
}
