/**
 * RFC 9211 `Cache-Status` and RFC 9111 `Age` from how the repositories
 * answered a read. Members go from the cache nearest the origin to the one
 * nearest the client: Redis (shared), then the isolate's memory; a tier that
 * is not configured is left out. Parameters: `hit`, `fwd` (`miss`, `bypass`,
 * or `request` when the client asked for the database), `ttl` (what is left
 * of the answer's freshness, in seconds; negative for a stale answer served
 * while it refreshes or while the database fails), `stored` (this tier now
 * keeps the answer) and `collapsed` (it shared another request's load). `Age`
 * is how long ago the database gave the answer.
 */
import type { CacheAnswer, CacheTier } from '@serverless-dal/repository'

const NAMES: Record<CacheTier, string> = { memory: 'dal-memory', redis: 'dal-redis' }

const seconds = (ms: number) => Math.trunc(ms / 1000)

/** How each configured tier took part in one answer. */
function members(answer: CacheAnswer, tiers: readonly CacheTier[]): string[] {
  const has = (tier: CacheTier) => tiers.includes(tier)
  const ttl = answer.ttlMs === undefined ? '' : `; ttl=${seconds(answer.ttlMs)}`
  switch (answer.outcome) {
    case 'memory-hit':
      return [`${NAMES.memory}; hit${ttl}`]
    case 'redis-hit':
      return [`${NAMES.redis}; hit${ttl}`, ...(has('memory') ? [`${NAMES.memory}; fwd=miss; stored`] : [])]
    case 'stale':
      return [`${NAMES.redis}; hit${ttl}`, ...(has('memory') ? [`${NAMES.memory}; fwd=miss`] : [])]
    case 'miss': {
      const nearest = tiers.includes('memory') ? 'memory' : 'redis'
      return [...tiers].reverse().map((tier) => {
        const collapsed = answer.collapsed && tier === nearest ? '; collapsed' : ''
        return `${NAMES[tier]}; fwd=miss${answer.storedIn?.includes(tier) ? '; stored' : ''}${collapsed}`
      })
    }
    case 'bypass':
      return [...tiers].reverse().map((tier) => `${NAMES[tier]}; fwd=${answer.requested ? 'request' : 'bypass'}`)
  }
}

/** The headers for a request's reads: the last one's answer (routes make one cached read). */
export function cacheStatus(answers: readonly CacheAnswer[], tiers: readonly CacheTier[]): Record<string, string> {
  const last = answers.at(-1)
  const value = last ? members(last, tiers).join(', ') : ''
  if (!value || !last) return {}
  return { 'cache-status': value, ...(last.ageMs !== undefined && { age: String(seconds(last.ageMs)) }) }
}
