/**
 * The documents domain's warmers: queries worth keeping warm for every active
 * tenant, whether or not they showed up in the hot-key sample.
 */
import type { Warmer } from '@serverless-dal/repository'
import type { DocumentsScope } from './repositories.ts'

/** The first page of the latest published documents, as the API lists them. */
export const latestPublished: Warmer<DocumentsScope> = {
  name: 'latest-published',
  async run(_read, warm) {
    await warm.documents.findMany({ status: 'published' }, { include: ['topics'] })
  },
}

/** The first page of each topic's documents (up to 20 topics). */
export const topicFirstPages: Warmer<DocumentsScope> = {
  name: 'topic-first-pages',
  async run(read, warm) {
    const topics = await read.topics.findMany({}, { limit: 20 })
    for (const topic of topics.items) await warm.documents.findByTopic(topic.id, { include: ['topics'] })
  },
}

export const DEFAULT_WARMERS: readonly Warmer<DocumentsScope>[] = [latestPublished, topicFirstPages]
