/**
 * RFC 9211 `Cache-Status` from how the repositories answered a read. The
 * cache closest to the origin comes first: Redis (shared), then the isolate's
 * memory.
 */
import type { CacheOutcome } from '@serverless-dal/repository'

const STATUS: Record<CacheOutcome, string> = {
  'memory-hit': 'dal-memory; hit',
  'redis-hit': 'dal-redis; hit, dal-memory; fwd=miss',
  miss: 'dal-redis; fwd=miss, dal-memory; fwd=miss',
  stale: 'dal-redis; hit; fwd=stale; detail=stale-served, dal-memory; fwd=miss',
  bypass: 'dal-memory; fwd=bypass',
}

/** The header for a request's reads: the last one's outcome (routes make one cached read). */
export function cacheStatus(outcomes: readonly CacheOutcome[]): Record<string, string> {
  const last = outcomes.at(-1)
  return last ? { 'cache-status': STATUS[last] } : {}
}
