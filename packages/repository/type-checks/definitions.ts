/**
 * Mistakes the compiler must refuse, checked by `npm run typecheck`: each
 * `@ts-expect-error` fails the typecheck the day its line compiles, so the
 * promise that a repository is checked against your schema stays kept.
 */
import type { Generated, Selectable } from 'kysely'
import { BaseRepository, defineRepository, type RepositoryContext, tableTags } from '../src/index.ts'

interface DB {
  projects: { id: Generated<number>; organizationId: string; name: string }
  tasks: { id: Generated<number>; organizationId: string; projectId: number; title: string; done: Generated<boolean> }
  events: { at: Date; kind: string }
}
type Task = Selectable<DB['tasks']>
type Project = Selectable<DB['projects']>
const define = defineRepository<DB>()

define({ table: 'tasks', writable: ['title', 'done'] })
// @ts-expect-error a table without id and organization is no tenant table
define({ table: 'events', writable: ['kind'] })
// @ts-expect-error the organization is never writable
define({ table: 'tasks', writable: ['organizationId'] })
// @ts-expect-error nor a column the table lacks
define({ table: 'tasks', writable: ['name'] })
// @ts-expect-error nor a sort on one
define({ table: 'tasks', writable: [], sorts: { newest: { column: 'createdAt', direction: 'desc' } } })
// @ts-expect-error versioned needs a version column
define({ table: 'tasks', writable: [], versioned: true })
// @ts-expect-error a filter type with fields needs a spec for each
define<'tasks', { projectId?: number }, 'id'>({ table: 'tasks', writable: [] })
define<'tasks', { projectId?: number }, 'id'>({
  table: 'tasks',
  writable: [],
  // @ts-expect-error and each spec names a column of the table
  filters: { projectId: { column: 'project', operators: ['eq'] } },
})

const tasks = define({ table: 'tasks', writable: ['title'] })
export class Tasks extends BaseRepository<DB, 'tasks', Task, Pick<Task, 'title'>> {
  constructor(context: RepositoryContext<DB>) {
    super(context, tasks)
  }
}
// @ts-expect-error a repository returns its own table's rows
export class WrongRows extends BaseRepository<DB, 'tasks', Project, Pick<Task, 'title'>> {}
// @ts-expect-error and creates from that table's columns
export class WrongInput extends BaseRepository<DB, 'tasks', Task, { label: string }> {}

const taskTags = tableTags('tasks')
export const tags = [taskTags.list, taskTags.row(1)]
// @ts-expect-error a tag comes from a table's builder, not from a string
export const typo: typeof tags = ['tsks:list']
