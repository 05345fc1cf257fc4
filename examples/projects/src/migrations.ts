/**
 * The example's one migration: the tables the package's guarantees need
 * (`createTenancyTables`), then projects and tasks, each isolated by
 * row-level security. Composite keys keep a task inside its project's
 * organization, whatever the application does.
 */
import { createTenancyTables, isolateTenantTable, type Migrations } from '@serverless-dal/repository'
import { type Kysely, sql } from 'kysely'

export const migrations: Migrations = {
  '0001-projects-and-tasks': {
    async up(db: Kysely<unknown>) {
      await createTenancyTables(db)
      await sql`
        create table projects (
          id bigint generated always as identity primary key,
          organization_id text not null references organizations (id) on delete cascade,
          name text not null check (char_length(name) between 1 and 200),
          constraint projects_organization_id_id_key unique (organization_id, id)
        );
        create table tasks (
          id bigint generated always as identity primary key,
          organization_id text not null,
          project_id bigint not null,
          title text not null check (char_length(title) between 1 and 500),
          done boolean not null default false,
          constraint tasks_project_fkey foreign key (organization_id, project_id)
            references projects (organization_id, id) on delete cascade
        );
        create index tasks_open_by_project_idx on tasks (organization_id, project_id, id) where not done;
      `.execute(db)
      await isolateTenantTable(db, 'projects')
      await isolateTenantTable(db, 'tasks')
    },
  },
}
