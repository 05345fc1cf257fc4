/**
 * Work left running in the background — deferred cache stores, hot-key
 * records, refreshes — tracked so that someone can wait for exactly it: a
 * request scope for its own work (never another request's), the cache for
 * all of its own, a Node server before it stops. Each piece is also handed to
 * the runtime's `waitUntil` where there is one (Workers), which keeps it
 * alive after the response.
 */
export class BackgroundWork {
  readonly #pending = new Set<Promise<unknown>>()
  readonly #waitUntil: ((work: Promise<unknown>) => void) | undefined

  constructor(waitUntil?: (work: Promise<unknown>) => void) {
    this.#waitUntil = waitUntil
  }

  /**
   * Tracks `work` (its failure is the work's own business: it is swallowed
   * here) and returns it as tracked: a promise that never rejects.
   */
  readonly add = (work: Promise<unknown>): Promise<unknown> => {
    const tracked: Promise<unknown> = work.catch(() => {}).finally(() => this.#pending.delete(tracked))
    this.#pending.add(tracked)
    this.#waitUntil?.(tracked)
    return tracked
  }

  get size(): number {
    return this.#pending.size
  }

  /** Resolves when everything tracked so far, and anything it started, has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }
}
