/**
 * The example app: projects and tasks of many organizations, on
 * `@serverless-dal/repository`'s public exports only. `projectsFactory` is
 * what an entry (Worker, Lambda, Node) creates once per isolate.
 *
 * ```ts
 * const factory = projectsFactory({ driver: 'pglite' }, { drivers: [pgliteDriver] })
 * await using repos = factory.forTenant({ orgId: 'acme', role: 'editor' })
 * const open = await repos.tasks.open({ projectId: 1 })
 * ```
 */
import {
  BaseRepository,
  type DatabaseConfig,
  type DatabaseLifetime,
  defineRepository,
  type RepositoryContext,
  RepositoryFactory,
  type RepositoryFactoryConfig,
} from '@serverless-dal/repository'
import type { Selectable } from 'kysely'
import { type DB, TaskRepository } from './projects.ts'

export { migrations } from './migrations.ts'
export { type DB, type Task, TaskRepository } from './projects.ts'

export type Project = Selectable<DB['projects']>

const projects = defineRepository<DB>()({
  table: 'projects',
  writable: ['name'],
  sorts: { name: { column: 'name', direction: 'asc' } },
})

/** Projects: plain CRUD, sorted by name. */
export class ProjectRepository extends BaseRepository<DB, 'projects', Project, Pick<Project, 'name'>> {
  constructor(context: RepositoryContext<DB>) {
    super(context, projects)
  }
}

export const repositories = { projects: ProjectRepository, tasks: TaskRepository }

export function projectsFactory(
  database: DatabaseConfig | DatabaseLifetime<DB>,
  options: Omit<RepositoryFactoryConfig<DB, typeof repositories>, 'database' | 'repositories'> = {},
) {
  return new RepositoryFactory({ ...options, database, repositories })
}
