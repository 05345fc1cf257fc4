import { describe, expect, it } from 'vitest'
import type { RepositoryContext } from '../repositories/repository-context.ts'
import { LazyRepositories, scopeTarget } from './lazy-scope.ts'

const context = {} as RepositoryContext<unknown>

describe('repositories built on first use', () => {
  it('builds a repository when it is first asked for, once per scope, and each scope its own', () => {
    const built: string[] = []
    class Documents {
      constructor(readonly context: RepositoryContext<unknown>) {
        built.push('documents')
      }
    }
    class Topics {
      constructor() {
        built.push('topics')
      }
    }
    const classes = { documents: Documents, topics: Topics }
    const one = new LazyRepositories(classes, context)
    expect(built).toEqual([])
    const documents = one.get('documents')
    expect(documents).toBeInstanceOf(Documents)
    expect((documents as Documents).context).toBe(context)
    expect(one.get('documents')).toBe(documents)
    expect(built).toEqual(['documents'])
    const other = new LazyRepositories(classes, context)
    expect(other.get('documents')).not.toBe(documents)
    expect(built).toEqual(['documents', 'documents'])
    other.readers() // the warm job's replay and the name check need them all
    expect(built).toEqual(['documents', 'documents', 'topics'])
  })

  it("gives a class map's scopes a getter per repository on one shared prototype over the scope's class", () => {
    class Scope {
      member(): string {
        return 'scope method'
      }
    }
    const asked: string[] = []
    const classes = { documents: class {}, topics: class {} }
    const build = (scope: { id: number }, name: string) => {
      asked.push(`${scope.id}:${name}`)
      return { name }
    }
    const target = scopeTarget(classes, Scope.prototype, build)
    expect(scopeTarget(classes, Scope.prototype, build)).toBe(target) // made once per map
    const scope: Scope & Record<string, unknown> = Reflect.construct(Scope, [], target)
    Object.assign(scope, { id: 7 })
    expect(scope).toBeInstanceOf(Scope)
    expect(scope.member()).toBe('scope method')
    expect(asked).toEqual([])
    expect(scope.topics).toEqual({ name: 'topics' })
    expect(asked).toEqual(['7:topics'])
    expect('documents' in scope).toBe(true)
  })
})
