/**
 * Re-runs a remembered query through the repositories, so warming takes the
 * same path (and the same key) as the read that made it hot. Only the
 * operations that read through the cache replay; anything else is refused.
 */
import type { HotQuery } from '../cache/hot-keys.ts'
import type { RepositoryName, TenantRepositories } from '../factory/tenant-repositories.ts'

type Params = Record<string, unknown>
const REPOSITORIES: readonly RepositoryName[] = ['documents', 'topics', 'summaries']

/** The replay of `query` in `repos`' scope, or undefined if it is not a cached read. */
export function replayOf(query: HotQuery, repos: TenantRepositories): (() => Promise<unknown>) | undefined {
  const { repository, operation } = query
  if (!(REPOSITORIES as readonly string[]).includes(repository)) return undefined
  const p = (query.params ?? {}) as Params
  const { filter, ...listOptions } = p
  const base = repos.getRepository(repository as RepositoryName)
  switch (operation) {
    case 'findById':
      return () => base.findById(p.id as number, p.include ? { include: p.include as never } : {})
    case 'findMany':
      return () => base.findMany((filter ?? {}) as never, listOptions as never)
    case 'findRelatedDocuments':
      if (repository !== 'documents') return undefined
      return () => repos.documents.findRelatedDocuments(p.id as number, { maxDepth: p.maxDepth as number })
    case 'findByTopic': {
      if (repository !== 'documents') return undefined
      const { topicId, ...options } = p
      return () => repos.documents.findByTopic(topicId as number, options as never)
    }
    default:
      return undefined
  }
}
