/**
 * One consistency check (`consistency-sampler.ts` picks which hits): the
 * answer a hit gave is compared with what the database says now. If they
 * differ while the entry's generations are still current, no invalidation
 * explains it: a stale read, counted with the answer's age. If a write came
 * in between, or the database or Redis could not answer, nothing is learnt.
 */
import type { CacheContext } from './cache-context.ts'
import { encodeValue } from './codec.ts'
import type { Invalidations } from './invalidations.ts'
import type { CachedRead } from './port.ts'
import { queryName } from './stats.ts'
import { type StoredEntry, sameGenerations } from './stored-entry.ts'

export interface CheckedHit {
  spec: CachedRead<unknown>
  key: string
  entry: StoredEntry
  /** This isolate's generations of the entry's tags when the hit answered. */
  local: number[]
  /** How old the answer was. */
  ageMs: number
}

export async function checkHit(context: CacheContext, invalidations: Invalidations, hit: CheckedHit): Promise<void> {
  const { spec, key, entry, local } = hit
  let loaded: unknown
  try {
    loaded = await spec.load()
  } catch {
    return // the database could not say (or the row is gone): nothing learnt
  }
  const query = queryName(spec)
  if (encodeValue(loaded) === encodeValue(entry.v)) {
    context.stats.checked(query)
    return
  }
  const redis = context.tiers.redis
  const current = redis
    ? await redis.lookup(key, context.generationKeysOf(spec.orgId, spec.tags))
    : { generations: entry.g }
  if (!current) return
  const unchanged =
    sameGenerations(entry.g, current.generations) &&
    sameGenerations(local, invalidations.localGenerations(spec.orgId, spec.tags))
  if (unchanged) context.stats.staleRead(query, hit.ageMs)
  else context.stats.checked(query) // a write came after the answer: it was current then
}
