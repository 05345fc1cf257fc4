/**
 * Repositories built on first use: a request scope (`TenantRepositories`)
 * gets one getter per repository name, on a prototype made once per class
 * map, so a request that reads documents builds the document repository only
 * — not every repository of the map, with their declared reads and their
 * closures, on every request. A getter builds its repository on first use and
 * the scope keeps it; `repos.documents` is the same object each time.
 */

import { ReadRepository } from '../repositories/read-repository.ts'
import type { RepositoryContext } from '../repositories/repository-context.ts'
import type { Replayable, RepositoryClass } from './repository-classes.ts'

/** One scope's repositories: built on first use with the scope's context, then kept. */
export class LazyRepositories<DB> {
  readonly #classes: Readonly<Record<string, RepositoryClass<DB>>>
  readonly #context: RepositoryContext<DB>
  readonly #built: Record<string, object> = {}
  /** Those built so far that have cached reads. */
  readonly #readers: Replayable[] = []

  constructor(classes: Readonly<Record<string, RepositoryClass<DB>>>, context: RepositoryContext<DB>) {
    this.#classes = classes
    this.#context = context
  }

  get(name: string): object {
    let repository = this.#built[name]
    if (repository === undefined) {
      repository = new (this.#classes[name] as RepositoryClass<DB>)(this.#context)
      this.#built[name] = repository
      if (repository instanceof ReadRepository) this.#readers.push(repository)
    }
    return repository
  }

  /** Every repository built: those with cached reads (the warm job's replays, the name check). */
  readers(): readonly Replayable[] {
    for (const name of Object.keys(this.#classes)) this.get(name)
    return this.#readers
  }
}

/** Builds (or finds) the scope's repository of this name. */
export type BuildRepository = (scope: never, name: string) => object

/** Per class map, the constructor target whose prototype carries its getters. */
const TARGETS = new WeakMap<object, () => void>()

/**
 * The `newTarget` a scope of this class map is constructed with
 * (`Reflect.construct(TenantRepositories, args, target)`): the scope keeps its
 * class's fields and methods (its prototype inherits `base`) and adds a getter
 * per repository name.
 */
export function scopeTarget(classes: object, base: object, build: BuildRepository): () => void {
  let target = TARGETS.get(classes)
  if (target) return target
  target = function RepositoryScope() {}
  const getters: PropertyDescriptorMap = {}
  for (const name of Object.keys(classes)) {
    getters[name] = {
      get(this: never) {
        return build(this, name)
      },
      enumerable: true,
      configurable: true,
    }
  }
  target.prototype = Object.create(base, getters)
  TARGETS.set(classes, target)
  return target
}
