/** Your own tables on the package: a schema, a repository with two cached reads and their tags, a transaction. */
import { BaseRepository, defineRepository, type RepositoryContext } from '@serverless-dal/repository'
import type { Generated, Kysely, Selectable } from 'kysely'

export interface DB {
  projects: { id: Generated<number>; organizationId: string; name: string }
  tasks: { id: Generated<number>; organizationId: string; projectId: number; title: string; done: Generated<boolean> }
}
export type Task = Selectable<DB['tasks']>
type TaskPatch = Partial<Pick<Task, 'title' | 'done'>>

const definition = defineRepository<DB>()({ table: 'tasks', writable: ['projectId', 'title', 'done'] })
const openTasks = (db: Kysely<DB>, orgId: string) =>
  db.selectFrom('tasks').where('organizationId', '=', orgId).where('done', '=', false)

export class TaskRepository extends BaseRepository<DB, 'tasks', Task, Pick<Task, 'projectId' | 'title'>, TaskPatch> {
  constructor(context: RepositoryContext<DB>) {
    super(context, definition)
  }

  /** A project's open tasks; any write to tasks makes the answer obsolete. */
  readonly open = this.cachedRead({
    name: 'open',
    tags: () => [this.tags.list],
    load: (db, { projectId }: { projectId: number }) =>
      openTasks(db, this.orgId).where('projectId', '=', projectId).selectAll().orderBy('id').execute(),
  })

  /** Open tasks per project, for a dashboard: kept five minutes unless a task changes. */
  readonly openCounts = this.cachedRead({
    name: 'openCounts',
    ttlMs: 300_000,
    tags: () => [this.tags.list],
    load: (db, _: object) =>
      openTasks(db, this.orgId)
        .groupBy('projectId')
        .select((eb) => ['projectId', eb.fn.countAll<number>().as('open')])
        .execute(),
  })

  /** Closes a task and files its follow-up: both or neither, one invalidation after COMMIT. */
  complete(id: number, followUp: string): Promise<Task> {
    return this.transaction(async (tasks) => {
      const done = await tasks.update(id, { done: true })
      await tasks.create({ projectId: done.projectId, title: followUp })
      return done
    })
  }
}
