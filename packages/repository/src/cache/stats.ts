/**
 * Counters the metrics layer turns into CloudWatch counts, per tier and per
 * query (`documents.findById`: each operation reads one query type), and the
 * outcome of each read for the HTTP layer's `Cache-Status`.
 */
export type CacheTier = 'memory' | 'redis'

/** How one read was answered. */
export type CacheOutcome = 'memory-hit' | 'redis-hit' | 'miss' | 'stale' | 'bypass'

export interface TierCounters {
  hits: number
  misses: number
  staleServed: number
  errors: number
}

export interface CacheStatsSnapshot {
  /** Per tier, per query (`documents.findById`, `documents.findRelatedDocuments`, …); Redis errors under `all`. */
  tiers: Record<CacheTier, Record<string, TierCounters>>
  memory: { entries: number; bytes: number; evictions: number }
  breakerOpenings: number
  /** Entries too large for Redis (`maxEntryBytes`), kept in memory only. */
  skippedTooLarge: number
  /** `localCounters`: the isolate's own generation counters (bounded, see `generations.ts`). */
  invalidations: { sent: number; failed: number; pending: number; localCounters: number }
  /** Per query: hits checked against the database, the stale ones, and the latest stale answers' ages. */
  consistency: Record<string, ConsistencyCounters>
}

/** Stats are kept per query: the repository and operation that read (each has one query type). */
export const queryName = (read: { repository: string; operation: string }): string =>
  `${read.repository}.${read.operation}`

export interface ConsistencyCounters {
  checks: number
  stale: number
  /** The ages of the latest stale answers (at most 100), oldest first. */
  staleAgesMs: number[]
}

const empty = (): TierCounters => ({ hits: 0, misses: 0, staleServed: 0, errors: 0 })
const MAX_AGES = 100

export class CacheStats {
  readonly #tiers: Record<CacheTier, Map<string, TierCounters>> = { memory: new Map(), redis: new Map() }
  readonly #consistency = new Map<string, ConsistencyCounters>()
  evictions = 0
  invalidationsSent = 0
  invalidationsFailed = 0
  /** Entries too large for Redis, kept in memory only. */
  skippedTooLarge = 0

  count(tier: CacheTier, query: string, counter: keyof TierCounters): void {
    let counters = this.#tiers[tier].get(query)
    if (!counters) {
      counters = empty()
      this.#tiers[tier].set(query, counters)
    }
    counters[counter] += 1
  }

  /** A hit checked against the database: it matched, or a write came after it. */
  checked(query: string): void {
    this.#consistencyOf(query).checks += 1
  }

  /** A hit checked against the database that answered older data than it holds. */
  staleRead(query: string, ageMs: number): void {
    const counters = this.#consistencyOf(query)
    counters.checks += 1
    counters.stale += 1
    counters.staleAgesMs.push(ageMs)
    if (counters.staleAgesMs.length > MAX_AGES) counters.staleAgesMs.shift()
  }

  #consistencyOf(query: string): ConsistencyCounters {
    let counters = this.#consistency.get(query)
    if (!counters) {
      counters = { checks: 0, stale: 0, staleAgesMs: [] }
      this.#consistency.set(query, counters)
    }
    return counters
  }

  snapshot(
    extra: Pick<CacheStatsSnapshot, 'memory' | 'breakerOpenings'> & { pending: number; localCounters: number },
  ): CacheStatsSnapshot {
    const tier = (name: CacheTier) =>
      Object.fromEntries([...this.#tiers[name]].map(([query, counters]) => [query, { ...counters }]))
    return {
      tiers: { memory: tier('memory'), redis: tier('redis') },
      memory: extra.memory,
      breakerOpenings: extra.breakerOpenings,
      skippedTooLarge: this.skippedTooLarge,
      invalidations: {
        sent: this.invalidationsSent,
        failed: this.invalidationsFailed,
        pending: extra.pending,
        localCounters: extra.localCounters,
      },
      consistency: Object.fromEntries(
        [...this.#consistency].map(([query, c]) => [query, { ...c, staleAgesMs: [...c.staleAgesMs] }]),
      ),
    }
  }
}
