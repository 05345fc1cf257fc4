/**
 * RFC 9211 `Cache-Status` from how the repositories answered a read. Members
 * go from the cache nearest the origin to the one nearest the client: Redis
 * (shared), then the isolate's memory; a tier that is not configured is left out.
 */
import type { CacheOutcome, CacheTier } from '@serverless-dal/repository'

const NAMES: Record<CacheTier, string> = { memory: 'dal-memory', redis: 'dal-redis' }

/** How each configured tier took part in one outcome. */
function members(outcome: CacheOutcome, tiers: readonly CacheTier[]): string[] {
  const has = (tier: CacheTier) => tiers.includes(tier)
  switch (outcome) {
    case 'memory-hit':
      return [`${NAMES.memory}; hit`]
    case 'redis-hit':
      return [`${NAMES.redis}; hit`, ...(has('memory') ? [`${NAMES.memory}; fwd=miss`] : [])]
    case 'stale':
      return [`${NAMES.redis}; hit; fwd=stale`, ...(has('memory') ? [`${NAMES.memory}; fwd=miss`] : [])]
    case 'miss':
      return [...tiers].reverse().map((tier) => `${NAMES[tier]}; fwd=miss`)
    case 'bypass':
      return [...tiers].reverse().map((tier) => `${NAMES[tier]}; fwd=bypass`)
  }
}

/** The header for a request's reads: the last one's outcome (routes make one cached read). */
export function cacheStatus(outcomes: readonly CacheOutcome[], tiers: readonly CacheTier[]): Record<string, string> {
  const last = outcomes.at(-1)
  const value = last ? members(last, tiers).join(', ') : ''
  return value ? { 'cache-status': value } : {}
}
