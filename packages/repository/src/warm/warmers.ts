/**
 * Configured warmers: queries worth keeping warm for every active tenant,
 * whether or not they showed up in the sample. A warmer reads what it needs
 * through `read` (a normal scope) and warms through `warm` (a scope whose
 * cached reads refresh their entries).
 */
import type { TenantRepositories } from '../factory/tenant-repositories.ts'

export interface Warmer {
  name: string
  run(read: TenantRepositories, warm: TenantRepositories): Promise<void>
}

/** The first page of the latest published documents, as the API lists them. */
export const latestPublished: Warmer = {
  name: 'latest-published',
  async run(_read, warm) {
    await warm.documents.findMany({ status: 'published' }, { include: ['topics'] })
  },
}

/** The first page of each topic's documents (up to 20 topics). */
export const topicFirstPages: Warmer = {
  name: 'topic-first-pages',
  async run(read, warm) {
    const topics = await read.topics.findMany({}, { limit: 20 })
    for (const topic of topics.items) await warm.documents.findByTopic(topic.id, { include: ['topics'] })
  },
}

export const DEFAULT_WARMERS: readonly Warmer[] = [latestPublished, topicFirstPages]
