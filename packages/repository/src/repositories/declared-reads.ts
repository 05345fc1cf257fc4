/**
 * Cached reads declared as data. A repository declares each once — its name,
 * the parameters it is called with, its TTL, the tags it depends on, and how
 * it loads — and everything else comes from that declaration: the cache key
 * (`<repository>:<name>:<params>`), the hot-key record the warm job replays,
 * the replay itself, and the metrics (`OperationCount`… and the cache counts
 * under `repository`, `operation: name`).
 *
 * ```ts
 * readonly byName = this.cachedRead({
 *   name: 'findByName',
 *   ttlMs: 120_000,
 *   tags: () => [projectTags.list, projectTags.all],
 *   load: (db, { name }: { name: string }) => this.scoped(db).where('name', '=', name).selectAll().execute(),
 * })
 * ```
 *
 * Outside a transaction a read goes through the cache (for the warm job it
 * refreshes its entry instead); inside one, and without a cache, straight to
 * the database — a transaction may see its own uncommitted writes. Every
 * answer is recorded in the scope's answers, which `Cache-Status` and `Age` are made of.
 */
import type { Kysely } from 'kysely'
import type { CachedRead, ReadCache, WriteMark } from '../cache/port.ts'
import { parseToken } from '../consistency-token.ts'
import { measure } from '../metrics/instrument.ts'
import type { Dimensions } from '../metrics/invocation-metrics.ts'
import { assertCan } from '../tenancy/scope.ts'
import type { CallOptions } from './definition.ts'
import type { RepositoryContext } from './repository-context.ts'
import type { Tag } from './tags.ts'

export interface ReadDeclaration<DB, Params extends object, Result> {
  /** Names the read in keys, hot-key records, replays and metrics; by convention the method's name. */
  name: string
  /** The cache options' `ttlMs` may set this query type's TTL. @default the name */
  queryType?: string
  /** The TTL when the cache's options name none for the query type. @default the cache's `defaultTtlMs` */
  ttlMs?: number
  /** Tags whose writes make an answer obsolete (build them with `tableTags`). */
  tags(params: Params): readonly Tag[]
  /**
   * Loads the answer: `params` are the caller's, or a hot-key record's when
   * the warm job replays — JSON then, like the cache key made of them (a
   * `Date` comes back as its ISO string), and validated here like a caller's.
   */
  load(db: Kysely<DB>, params: Params): Promise<Result>
}

/** A declared read, called with its parameters; `cacheTtlMs` overrides its TTL for one call. */
export type DeclaredRead<Params extends object, Result> = (params: Params, options?: CallOptions) => Promise<Result>

/** What a declared read needs of its request scope: a part of the repository's context. */
export type ReadScope<DB> = Pick<
  RepositoryContext<DB>,
  'session' | 'after' | 'consistency' | 'cache' | 'answers' | 'waitUntil' | 'warming' | 'metrics'
>

/** What a declaration is bound to: its scope, its repository's name, and how the repository runs an operation. */
export interface ReadOwner<DB> {
  scope: () => ReadScope<DB>
  repository: () => string
  operate<T>(operation: string, work: (db: Kysely<DB>) => Promise<T>): Promise<T>
}

/** The callable read of a declaration: measured as the operation `name`, through the cache. */
export function declaredRead<DB, Params extends object, Result>(
  declaration: ReadDeclaration<DB, Params, Result>,
  owner: ReadOwner<DB>,
): DeclaredRead<Params, Result> {
  const { name } = declaration
  let dimensions: Dimensions | undefined
  return (params, options = {}) => {
    const scope = owner.scope()
    const orgId = scope.session.scope.orgId
    const load = () => owner.operate(name, (db) => declaration.load(db, params))
    const run = () => {
      // no cache, or inside a transaction (which may see its own uncommitted writes): the database answers
      if (!scope.cache?.enabled || scope.session.inTransaction) return bypassing(scope, load)
      const after = stricter(scope.after, parseToken(options.consistencyToken, orgId))
      const consistency = options.consistency ?? scope.consistency
      return readThrough(scope.cache, scope, {
        repository: owner.repository(),
        operation: name,
        queryType: declaration.queryType ?? name,
        params,
        tags: declaration.tags(params),
        ...(options.cacheTtlMs !== undefined && { ttlMs: options.cacheTtlMs }),
        ...(declaration.ttlMs !== undefined && { defaultTtlMs: declaration.ttlMs }),
        ...(after !== undefined && { after }),
        ...(consistency && { consistency }),
        load,
      })
    }
    const { metrics } = scope
    if (!metrics.enabled) return run()
    dimensions ??= Object.freeze({ repository: owner.repository(), operation: name })
    return measure(metrics, dimensions, run)
  }
}

async function bypassing<DB, Result>(scope: ReadScope<DB>, load: () => Promise<Result>): Promise<Result> {
  const value = await load()
  scope.answers.push({ outcome: 'bypass' })
  return value
}

/** Runs one call of a declared read through the scope's cache (for the warm job: refreshes its entry). */
async function readThrough<DB, Result>(
  cache: ReadCache,
  scope: ReadScope<DB>,
  read: Omit<CachedRead<Result>, 'orgId' | 'waitUntil'>,
): Promise<Result> {
  const { answers, waitUntil, warming, session } = scope
  assertCan(session.scope, 'read', read)
  const spec: CachedRead<Result> = { ...read, orgId: session.scope.orgId, ...(waitUntil && { waitUntil }) }
  if (warming) {
    const warmed = await cache.warm(spec)
    warming(warmed.outcome)
    if (warmed.outcome === 'warmed') return warmed.value
    // skipped (another run is warming it) or Redis unavailable: answer as a normal read would
  }
  const { value, ...answer } = await cache.read(spec)
  answers.push(answer)
  return value
}

/** The stricter of two write marks: the database beats any mark, a later mark an earlier one. */
function stricter(a: WriteMark | undefined, b: WriteMark | undefined): WriteMark | undefined {
  if (a === undefined || b === undefined) return a ?? b
  if (a === 'database' || b === 'database') return 'database'
  return Math.max(a, b)
}

/** `include: ['topics', 'summaries']` and `['summaries', 'topics', 'topics']` ask for the same thing: one cache key. */
export function canonicalInclude<Include extends string>(
  include: readonly Include[] | undefined,
): Include[] | undefined {
  return include?.length ? [...new Set(include)].sort() : undefined
}
