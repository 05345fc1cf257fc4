/**
 * The documents domain's cache tags, one builder per table, shared by the
 * reads that depend on them and the writes that bump them. `graph` is what
 * related-documents answers depend on: links, and every document's topics.
 */
import { tableTags } from '@serverless-dal/repository'

export const documentTags = tableTags('documents', ['graph'])
export const topicTags = tableTags('topics')
export const summaryTags = tableTags('summaries')
