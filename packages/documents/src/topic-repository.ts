/** Topics: names unique per organization (a taken name is a ConflictError). */
import {
  BaseRepository,
  type RepositoryContext,
  type SearchFilter,
  type Tag,
  type WriteAction,
} from '@serverless-dal/repository'
import { topicDefinition } from './definitions.ts'
import type { NewTopic, Topic } from './rows.ts'
import type { DB } from './schema.ts'
import { documentTags } from './tags.ts'

export type NewTopicInput = Pick<NewTopic, 'name'>
export type TopicPatch = Partial<NewTopicInput>
export interface TopicFilter {
  name?: string | SearchFilter | { in: string[] }
}
export type TopicSort = 'name' | 'newest'

export class TopicRepository extends BaseRepository<
  DB,
  'topics',
  Topic,
  NewTopicInput,
  TopicPatch,
  TopicFilter,
  TopicSort
> {
  constructor(context: RepositoryContext<DB>) {
    super(context, topicDefinition)
  }

  /** Deleting a topic removes it from documents (their `topicIds`, by-topic lists). */
  protected override writeTags(action: WriteAction, rows: readonly Topic[]): Tag[] {
    const tags = super.writeTags(action, rows)
    if (action === 'delete') tags.push(documentTags.all)
    return tags
  }
}
