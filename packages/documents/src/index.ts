/**
 * The documents domain — documents, topics, summaries, links — on
 * `@serverless-dal/repository`: its schema and migrations, its repositories
 * and their cache tags, its warmers. The reference user of the package, built
 * on its public exports only.
 */
export * from './document-repository.ts'
export * from './document-types.ts'
export { documentsMigrations } from './migrations/index.ts'
export * from './repositories.ts'
export type * from './rows.ts'
export * from './schema.ts'
export * from './summary-repository.ts'
export { documentTags, summaryTags, topicTags } from './tags.ts'
export * from './topic-repository.ts'
export { DEFAULT_WARMERS, latestPublished, topicFirstPages } from './warmers.ts'
