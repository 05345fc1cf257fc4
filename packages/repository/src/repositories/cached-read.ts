/**
 * A repository read through the request scope's cache: outside transactions
 * it goes to `CacheManager.read` (or, for the warm job, `warm`); inside one,
 * and without a cache, straight to the database (a transaction may see its
 * own uncommitted writes). Every answer is recorded in the scope's outcomes,
 * which `Cache-Status` is made from.
 */
import type { CachedRead } from '../cache/cache-manager.ts'
import { assertCan } from '../tenancy/scope.ts'
import type { RepositoryContext } from './read-repository.ts'

export type ReadDeclaration<T> = Omit<CachedRead<T>, 'orgId' | 'waitUntil'>

export async function cachedRead<T>(context: RepositoryContext, read: ReadDeclaration<T>): Promise<T> {
  const { cache, outcomes, waitUntil, warming, session } = context
  if (!cache?.enabled || session.inTransaction) {
    const value = await read.load()
    outcomes.push('bypass')
    return value
  }
  assertCan(session.scope, 'read', read)
  const spec: CachedRead<T> = {
    ...read,
    orgId: session.scope.orgId,
    params: withCanonicalInclude(read.params),
    ...(waitUntil && { waitUntil }),
  }
  if (warming) {
    const warmed = await cache.warm(spec)
    warming(warmed.outcome)
    return warmed.value as T // the warm job reads outcomes, not values
  }
  const { value, outcome } = await cache.read(spec)
  outcomes.push(outcome)
  return value
}

/** `include: ['topics', 'summaries']` and `['summaries', 'topics', 'topics']` ask for the same thing: one cache key. */
function withCanonicalInclude(params: unknown): unknown {
  const { include, ...rest } = params as { include?: readonly string[] }
  return include?.length ? { ...rest, include: [...new Set(include)].sort() } : rest
}
