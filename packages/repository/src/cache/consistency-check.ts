/**
 * One consistency check (`consistency-sampler.ts` picks which hits). A hit
 * is stale if, when it answered, a write had already made its entry obsolete
 * (another isolate's write, which a memory tier sees only within its bound),
 * or if the database disagrees while no write explains it (an invalidation
 * the cache missed); each is counted with the answer's age. A write after
 * the answer is not staleness; a database or Redis that cannot answer teaches
 * nothing.
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
  const query = queryName(spec)
  const redis = context.tiers.redis
  const generationKeys = context.generationKeysOf(spec.orgId, spec.tags)
  if (redis) {
    // right after the answer: a write elsewhere had already made the entry obsolete (memory within its bound)
    const atAnswer = await redis.lookup(key, generationKeys)
    if (!atAnswer) return
    if (!sameGenerations(entry.g, atAnswer.generations)) return context.stats.staleRead(query, hit.ageMs)
  }
  let loaded: unknown
  try {
    loaded = await spec.load()
  } catch {
    return // the database could not say (or the row is gone): nothing learnt
  }
  if (encodeValue(loaded) === encodeValue(entry.v)) return context.stats.checked(query)
  // they differ: stale only if no write has been seen since the answer (an invalidation the cache missed)
  const now = redis ? await redis.lookup(key, generationKeys) : { generations: entry.g }
  if (!now) return
  const unchanged =
    sameGenerations(entry.g, now.generations) &&
    sameGenerations(local, invalidations.localGenerations(spec.orgId, spec.tags))
  if (unchanged) context.stats.staleRead(query, hit.ageMs)
  else context.stats.checked(query) // a write came after the answer: it was current then
}
