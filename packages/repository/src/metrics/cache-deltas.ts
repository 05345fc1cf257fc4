/**
 * Cache metrics as counts: what changed in the cache manager's cumulative
 * stats since the last flush. Counts (not ratios) let CloudWatch compute the
 * hit rate of any period and any tier: hits / (hits + misses).
 */
import type { CacheStatsSnapshot, TierCounters } from '../cache/stats.ts'
import type { InvocationMetrics } from './invocation-metrics.ts'

const TIER_METRICS: Record<keyof TierCounters, string> = {
  hits: 'CacheHit',
  misses: 'CacheMiss',
  staleServed: 'CacheStaleServed',
  errors: 'CacheError',
}

/** Records `current - previous` into `invocation`; zero deltas are left out. */
export function recordCacheDeltas(
  invocation: InvocationMetrics,
  previous: CacheStatsSnapshot | undefined,
  current: CacheStatsSnapshot,
): void {
  for (const [tier, queryTypes] of Object.entries(current.tiers)) {
    for (const [queryType, counters] of Object.entries(queryTypes)) {
      const before = previous?.tiers[tier as keyof CacheStatsSnapshot['tiers']][queryType]
      for (const [counter, metric] of Object.entries(TIER_METRICS)) {
        const key = counter as keyof TierCounters
        invocation.count(metric, { tier, queryType }, counters[key] - (before?.[key] ?? 0))
      }
    }
  }
  invocation.count('CacheBreakerOpened', undefined, current.breakerOpenings - (previous?.breakerOpenings ?? 0))
  invocation.count(
    'CacheInvalidationFailed',
    undefined,
    current.invalidations.failed - (previous?.invalidations.failed ?? 0),
  )
  invocation.count('CacheEviction', undefined, current.memory.evictions - (previous?.memory.evictions ?? 0))
}
