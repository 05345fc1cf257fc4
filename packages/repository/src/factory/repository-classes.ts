/**
 * The repositories a factory builds for each request scope: your classes, by
 * the name the scope exposes them under.
 *
 * ```ts
 * const repositories = { projects: ProjectRepository, tasks: TaskRepository }
 * const factory = new RepositoryFactory({ database, repositories })
 * factory.forTenant(scope).projects // a ProjectRepository of that tenant
 * ```
 */
import type { BackgroundWork } from '../background-work.ts'
import type { CacheAnswer, Consistency, ReadCache, WarmOutcome, WriteMark } from '../cache/port.ts'
import { METRICS_TARGET, type Measurable } from '../metrics/instrument.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { CursorCodec } from '../repositories/cursor.ts'
import type { ReadRepository } from '../repositories/read-repository.ts'
import type { RepositoryContext } from '../repositories/repository-context.ts'
import type { TenantRepositories } from './tenant-repositories.ts'

/** A repository class: built with the scope's context, like every `BaseRepository`. */
export type RepositoryClass<DB> = new (context: RepositoryContext<DB>) => object

export type RepositoryClasses<DB> = Readonly<Record<string, RepositoryClass<DB>>>

/** A request scope: its methods (`transaction`, `read`, `dispose`, …) and one property per repository. */
export type RepositoryScope<DB, Classes extends RepositoryClasses<DB>> = TenantRepositories<DB, Classes> & {
  readonly [Name in keyof Classes]: InstanceType<Classes[Name]>
}

/**
 * Refuses, at startup rather than at a request, a repository name the scope
 * itself uses (`scope` is the scope's prototype: its methods and getters), or
 * `then`, which would make a scope look like a promise to `await`.
 */
export function assertRepositoryNames(classes: Readonly<Record<string, unknown>>, scope: object): void {
  for (const [name, Repository] of Object.entries(classes)) {
    if (name in scope || name === 'then') {
      throw new TypeError(`a repository cannot be named "${name}": the scope uses it`)
    }
    if (typeof Repository !== 'function') throw new TypeError(`repository "${name}" is not a class`)
  }
}

/** A repository whose declared reads the warm job can replay. */
export type Replayable = Measurable & Pick<ReadRepository<unknown, never, { id: number }>, 'replayRead'>

/** Class maps whose repositories' names were found distinct (once per map, not per request). */
const CHECKED = new WeakSet<object>()

/** Whether this class map's repositories were already found distinct (so a scope need not build them all). */
export function distinctNamesChecked(classes: object): boolean {
  return CHECKED.has(classes)
}

/**
 * Two repositories with one name would share cache keys, tags and replays:
 * refused on the first scope, before any of them is used.
 */
export function assertDistinctCacheNames(readers: readonly Measurable[], classes: object): void {
  if (CHECKED.has(classes)) return
  const names = readers.map((reader) => reader[METRICS_TARGET].repository)
  const twice = names.find((name, i) => names.indexOf(name) !== i)
  if (twice) throw new TypeError(`two repositories are named "${twice}": their cache entries and tags would mix`)
  CHECKED.add(classes)
}

/** What a request scope shares with the transactions it opens. */
export interface ScopeServices {
  cursors: CursorCodec
  cache?: ReadCache
  answers: CacheAnswer[]
  metrics: InvocationMetrics
  /** This scope's background work (deferred cache stores, hot-key records): `dispose` waits for it, and only it. */
  background: BackgroundWork
  warming?: (outcome: WarmOutcome) => void
  after?: WriteMark
  consistency?: Consistency
  /** The write mark of the last unit the scope committed (shared with its sessions). */
  written: { mark?: WriteMark }
}

/** A remembered cached read (the warm job's hot-key record). */
export interface RecordedRead {
  repository: string
  operation: string
  params: unknown
}
