/**
 * The documents domain's repositories, as a factory builds them for each
 * request scope: `repos.documents`, `repos.topics`, `repos.summaries`.
 *
 * ```ts
 * const factory = createDocumentsFactory({ database: databaseConfigFromEnv(env) })
 * await using repos = factory.forTenant({ orgId: 'acme', role: 'editor' })
 * await repos.documents.create({ title: 'New Doc', topicIds: [1] })
 * ```
 */
import {
  RepositoryFactory,
  type RepositoryFactoryConfig,
  type RepositoryScope,
  runWarmJob,
  type WarmOptions,
  type WarmReport,
} from '@serverless-dal/repository'
import { DocumentRepository } from './document-repository.ts'
import type { DB } from './schema.ts'
import { SummaryRepository } from './summary-repository.ts'
import { TopicRepository } from './topic-repository.ts'
import { DEFAULT_WARMERS } from './warmers.ts'

export const documentRepositories = {
  documents: DocumentRepository,
  topics: TopicRepository,
  summaries: SummaryRepository,
}

export type DocumentRepositories = typeof documentRepositories
/** One tenant's documents, topics and summaries. */
export type DocumentsScope = RepositoryScope<DB, DocumentRepositories>
export type DocumentsFactory = RepositoryFactory<DB, DocumentRepositories>
export type DocumentsFactoryConfig = Omit<RepositoryFactoryConfig<DB, DocumentRepositories>, 'repositories'>

export function createDocumentsFactory(config: DocumentsFactoryConfig): DocumentsFactory {
  return new RepositoryFactory<DB, DocumentRepositories>({ ...config, repositories: documentRepositories })
}

/** The warm job with the documents' warmers (latest published, each topic's first page) unless told otherwise. */
export function warmDocuments(
  factory: DocumentsFactory,
  options: WarmOptions<DocumentsScope> = {},
): Promise<WarmReport> {
  return runWarmJob(factory, { warmers: DEFAULT_WARMERS, ...options })
}
