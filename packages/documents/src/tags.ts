/**
 * The documents domain's cache tags, one builder per table from its
 * definition (the names its repositories' own tags use), shared by the reads
 * that depend on them and the writes that bump them. `graph` is what
 * related-documents answers depend on: links, and every document's topics.
 */
import { tagsOf } from '@serverless-dal/repository'
import { documentDefinition, summaryDefinition, topicDefinition } from './definitions.ts'

export const documentTags = tagsOf(documentDefinition, ['graph'])
export const topicTags = tagsOf(topicDefinition)
export const summaryTags = tagsOf(summaryDefinition)
