/** Topics: names unique per organization (a taken name is a ConflictError). */
import type { NewTopic, Topic } from '../schema/rows.ts'
import { BaseRepository, type RepositoryContext } from './base-repository.ts'
import type { RepositoryDefinition } from './definition.ts'
import type { SearchFilter } from './filters.ts'

export type NewTopicInput = Pick<NewTopic, 'name'>
export type TopicPatch = Partial<NewTopicInput>
export interface TopicFilter {
  name?: string | SearchFilter | { in: string[] }
}
export type TopicSort = 'name' | 'newest'

const definition: RepositoryDefinition = {
  name: 'topics',
  table: 'topics',
  writable: ['name'],
  filters: { name: { column: 'topics.name', operators: ['eq', 'in', 'contains', 'startsWith'] } },
  sorts: {
    name: { column: 'name', direction: 'asc' },
    newest: { column: 'createdAt', direction: 'desc' },
  },
  defaultSort: 'name',
  versioned: false,
  touchesUpdatedAt: false,
  timestamps: ['createdAt'],
}

export class TopicRepository extends BaseRepository<Topic, NewTopicInput, TopicPatch, TopicFilter, TopicSort> {
  constructor(context: RepositoryContext) {
    super(context, definition)
  }

  /** Deleting a topic removes it from documents (their `topicIds`, by-topic lists). */
  protected override writeTags(action: 'create' | 'update' | 'delete', rows: readonly Topic[]): string[] {
    const tags = super.writeTags(action, rows)
    if (action === 'delete') tags.push('documents:*')
    return tags
  }
}
