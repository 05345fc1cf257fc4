/**
 * What the package promises a schema of one's own (the projects example, on
 * PGlite with the memory tier): replays find a declared read by its
 * repository's name whatever the scope calls it, names cannot collide, your
 * own writes invalidate the tags you give them, and definitions keep their
 * defaults and refuse what no table may write.
 */
import { type DB, migrations, projectsFactory, type Task, TaskRepository } from '@serverless-dal/example-projects'
import {
  BaseRepository,
  defineRepository,
  migrateToLatest,
  perProcessLifetime,
  type RepositoryContext,
  type RepositoryDefinition,
  RepositoryFactory,
  silentLogger,
  tagsOf,
} from '@serverless-dal/repository'
import { pgliteDriver } from '@serverless-dal/repository/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const database = perProcessLifetime<DB>({ driver: 'pglite' }, { drivers: [pgliteDriver] })
const common = { logger: silentLogger, cursorSecret: 'declared-reads-cursor-secret' }
const factory = projectsFactory(database, common)

beforeAll(async () => {
  await migrateToLatest(database.lease().database.db, migrations)
})
afterAll(() => factory.dispose())

async function projectWithTask(orgId: string) {
  const repos = factory.forTenant({ orgId, role: 'editor' })
  const project = await repos.projects.create({ name: 'p' })
  await repos.tasks.create({ projectId: project.id, title: 'first' })
  return { repos, project }
}

describe('declared reads', () => {
  it("are replayed by their repository's name, whatever property the scope gives it", async () => {
    const { project } = await projectWithTask('replay')
    const renamed = new RepositoryFactory({ ...common, database, repositories: { todo: TaskRepository } })
    const scope = renamed.forTenant({ orgId: 'replay', role: 'viewer' })
    const recorded = { repository: 'tasks', operation: 'open', params: { projectId: project.id } }
    expect(await scope.replay(recorded)).toMatchObject([{ title: 'first' }])
    expect(scope.replay({ ...recorded, repository: 'todo' })).toBeUndefined()
    expect(scope.replay({ ...recorded, operation: 'create' })).toBeUndefined() // a write is no cached read
  })

  it('refuse two repositories of one name, on the first scope', () => {
    const twice = new RepositoryFactory({ ...common, database, repositories: { a: TaskRepository, b: TaskRepository } })
    expect(() => twice.forTenant({ orgId: 'twice', role: 'viewer' })).toThrow(/two repositories are named "tasks"/)
  })

  it('refuse a second read of the same name in one repository', () => {
    class Doubled extends TaskRepository {
      readonly again = this.cachedRead({ name: 'open', tags: () => [], load: async () => [] })
    }
    const doubled = new RepositoryFactory({ ...common, database, repositories: { tasks: Doubled } })
    expect(() => doubled.forTenant({ orgId: 'doubled', role: 'viewer' })).toThrow(/open is declared twice/)
  })
})

describe('writes of your own', () => {
  it('invalidate the tags they name once they commit', async () => {
    const { repos, project } = await projectWithTask('own-write')
    await repos.tasks.open({ projectId: project.id })
    await repos.write((db) => db.updateTable('tasks').set({ done: true }).where('projectId', '=', project.id), {
      tags: [tagsOf({ table: 'tasks' }).list],
    })
    expect(await repos.tasks.open({ projectId: project.id })).toEqual([])
    expect(repos.cacheOutcomes).toEqual(['miss', 'miss'])
  })
})

describe('definitions', () => {
  const define = defineRepository<DB>()
  const repositoryOf = (definition: RepositoryDefinition<DB, 'tasks', Record<never, never>, string>) =>
    class extends BaseRepository<DB, 'tasks', Task, Pick<Task, 'title'>> {
      constructor(context: RepositoryContext<DB>) {
        super(context, definition)
      }
    }

  it('page by id when they name no sort', async () => {
    await projectWithTask('unsorted')
    const sortless = repositoryOf(define({ table: 'tasks', writable: ['title'], sorts: {} }))
    const unsorted = new RepositoryFactory({ ...common, database, repositories: { tasks: sortless } })
    const page = await unsorted.forTenant({ orgId: 'unsorted', role: 'viewer' }).tasks.findMany({}, { limit: 1 })
    expect(page.items.map((task) => task.title)).toEqual(['first'])
  })

  it('refuse the id or the organization as writable, for callers the compiler cannot check', () => {
    const stolen = repositoryOf(define({ table: 'tasks', writable: ['organizationId'] as never }))
    const refusing = new RepositoryFactory({ ...common, database, repositories: { tasks: stolen } })
    expect(() => refusing.forTenant({ orgId: 'stolen', role: 'editor' })).toThrow(
      /"organizationId" can never be writable/,
    )
  })
})
