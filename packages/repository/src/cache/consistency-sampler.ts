/**
 * How consistent the cache really is, measured on real traffic: one cache hit
 * in `sampleEvery` is loaded again from the database after its answer, and
 * the two are compared. A difference while the entry's generations are still
 * current is a stale read (a write the cache missed, or one whose
 * invalidation has not landed yet); a difference after a write is not. The
 * re-reads never cost more than `maxShareOfLoads` of the isolate's own
 * database reads, counted since the isolate started.
 */
export interface ConsistencyCheckOptions {
  /** Check one cache hit in this many; 0 turns checks off. @default 100 */
  sampleEvery: number
  /** Checks at most this share of the isolate's database loads. @default 0.01 */
  maxShareOfLoads: number
}

export class ConsistencySampler {
  readonly #options: ConsistencyCheckOptions
  #hits = 0
  #loads = 0
  #checks = 0

  constructor(options: Partial<ConsistencyCheckOptions> = {}) {
    this.#options = { sampleEvery: 100, maxShareOfLoads: 0.01, ...options }
  }

  /** A read the database answered (a miss, a refresh): it earns its share of a check. */
  loaded(): void {
    this.#loads += 1
  }

  /** Whether this cache hit is one to check. */
  sample(): boolean {
    if (this.#options.sampleEvery <= 0) return false
    this.#hits += 1
    if (this.#hits % this.#options.sampleEvery !== 0) return false
    // within budget: checks never pass maxShareOfLoads of the loads so far (the epsilon forgives float sums)
    if (this.#checks + 1 > this.#loads * this.#options.maxShareOfLoads + 1e-9) return false
    this.#checks += 1
    return true
  }
}
