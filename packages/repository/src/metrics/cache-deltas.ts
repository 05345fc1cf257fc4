/**
 * Cache metrics as counts: what changed in the cache manager's cumulative
 * stats since the last flush. Counts (not ratios) let CloudWatch compute the
 * hit rate of any period: `CacheMemoryHit / (CacheMemoryHit + CacheMemoryMiss)`.
 *
 * The tier is part of the metric's name and the query is its dimensions
 * (repository, operation), the operation's own: a request's cache counts share
 * the EMF line of the operation that read, instead of adding lines.
 */
import type { CacheStatsSnapshot, CacheTier, TierCounters } from '../cache/stats.ts'
import type { Dimensions, InvocationMetrics } from './invocation-metrics.ts'

const METRIC_NAMES: Record<CacheTier, Record<keyof TierCounters, string>> = {
  memory: {
    hits: 'CacheMemoryHit',
    misses: 'CacheMemoryMiss',
    staleServed: 'CacheMemoryStale',
    errors: 'CacheMemoryError',
  },
  redis: {
    hits: 'CacheRedisHit',
    misses: 'CacheRedisMiss',
    staleServed: 'CacheStaleServed',
    errors: 'CacheRedisError',
  },
}

/** Records `current - previous` into `invocation`; zero deltas are left out. */
export function recordCacheDeltas(
  invocation: InvocationMetrics,
  previous: CacheStatsSnapshot | undefined,
  current: CacheStatsSnapshot,
): void {
  for (const tier of ['memory', 'redis'] as const) {
    for (const [query, counters] of Object.entries(current.tiers[tier])) {
      const before = previous?.tiers[tier][query]
      const dimensions = queryDimensions(query)
      for (const [counter, metric] of Object.entries(METRIC_NAMES[tier])) {
        const key = counter as keyof TierCounters
        invocation.count(metric, dimensions, counters[key] - (before?.[key] ?? 0))
      }
    }
  }
  recordConsistency(invocation, previous, current)
  invocation.count('CacheBreakerOpened', undefined, current.breakerOpenings - (previous?.breakerOpenings ?? 0))
  invocation.count(
    'CacheInvalidationFailed',
    undefined,
    current.invalidations.failed - (previous?.invalidations.failed ?? 0),
  )
  invocation.count('CacheEviction', undefined, current.memory.evictions - (previous?.memory.evictions ?? 0))
  invocation.count('CacheSkippedTooLarge', undefined, current.skippedTooLarge - (previous?.skippedTooLarge ?? 0))
}

/** Hits checked against the database, the stale ones, and each new stale answer's age, per query. */
function recordConsistency(
  invocation: InvocationMetrics,
  previous: CacheStatsSnapshot | undefined,
  current: CacheStatsSnapshot,
): void {
  for (const [query, counters] of Object.entries(current.consistency)) {
    const before = previous?.consistency[query]
    const dimensions = queryDimensions(query)
    invocation.count('CacheConsistencyChecks', dimensions, counters.checks - (before?.checks ?? 0))
    const fresh = counters.stale - (before?.stale ?? 0)
    invocation.count('CacheStaleReads', dimensions, fresh)
    // the latest ages are kept (100 per query): each new stale read's age, as far as they reach back
    if (fresh > 0)
      for (const ageMs of counters.staleAgesMs.slice(-fresh))
        invocation.duration('CacheStaleReadAge', dimensions, ageMs)
  }
}

/** `documents.findById` → `{ repository, operation }`; what no one query owns (`all`) → no dimensions. */
function queryDimensions(query: string): Dimensions {
  const dot = query.indexOf('.')
  if (dot < 0) return {}
  return { repository: query.slice(0, dot), operation: query.slice(dot + 1) }
}
