/**
 * The initial schema: organizations own everything; every child row repeats its
 * organization id so that composite foreign keys, not only application code,
 * keep links, topics and summaries inside one organization.
 *
 * Constraints are named so that the repositories can map a violation to a
 * precise error (for example `topics_organization_id_name_key` → "name taken").
 * Timestamps keep milliseconds, what a JS `Date` holds, so a keyset cursor
 * built from a row's `created_at` compares exactly with the row.
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organizations (
      id text primary key
        constraint organizations_id_format check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
      name text not null
        constraint organizations_name_length check (char_length(name) between 1 and 200),
      created_at timestamptz(3) not null default now()
    );

    create table documents (
      id bigint generated always as identity primary key,
      organization_id text not null references organizations (id) on delete cascade,
      title text not null
        constraint documents_title_length check (char_length(title) between 1 and 500),
      body text not null default ''
        constraint documents_body_length check (char_length(body) <= 1000000),
      status text not null default 'draft'
        constraint documents_status_known check (status in ('draft', 'published', 'archived')),
      version integer not null default 1
        constraint documents_version_positive check (version >= 1),
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now(),
      -- the target of every composite foreign key below
      constraint documents_organization_id_id_key unique (organization_id, id)
    );

    -- list by organization (+ status), newest first, keyset-paginated on (created_at, id)
    create index documents_org_status_recent_idx
      on documents (organization_id, status, created_at desc, id desc);
    create index documents_org_recent_idx
      on documents (organization_id, created_at desc, id desc);

    create table topics (
      id bigint generated always as identity primary key,
      organization_id text not null references organizations (id) on delete cascade,
      name text not null
        constraint topics_name_length check (char_length(name) between 1 and 200),
      created_at timestamptz(3) not null default now(),
      constraint topics_organization_id_name_key unique (organization_id, name),
      constraint topics_organization_id_id_key unique (organization_id, id)
    );

    create table document_topics (
      organization_id text not null,
      document_id bigint not null,
      topic_id bigint not null,
      constraint document_topics_pkey primary key (organization_id, document_id, topic_id),
      constraint document_topics_document_fkey foreign key (organization_id, document_id)
        references documents (organization_id, id) on delete cascade,
      constraint document_topics_topic_fkey foreign key (organization_id, topic_id)
        references topics (organization_id, id) on delete cascade
    );

    -- documents by topic
    create index document_topics_by_topic_idx
      on document_topics (organization_id, topic_id, document_id);

    create table document_links (
      organization_id text not null,
      source_id bigint not null,
      target_id bigint not null,
      created_at timestamptz(3) not null default now(),
      constraint document_links_pkey primary key (organization_id, source_id, target_id),
      constraint document_links_not_self check (source_id <> target_id),
      constraint document_links_source_fkey foreign key (organization_id, source_id)
        references documents (organization_id, id) on delete cascade,
      constraint document_links_target_fkey foreign key (organization_id, target_id)
        references documents (organization_id, id) on delete cascade
    );

    -- links are walked in both directions: the primary key serves source → target
    create index document_links_by_target_idx
      on document_links (organization_id, target_id, source_id);

    create table summaries (
      id bigint generated always as identity primary key,
      organization_id text not null,
      document_id bigint not null,
      text text not null
        constraint summaries_text_length check (char_length(text) between 1 and 100000),
      created_at timestamptz(3) not null default now(),
      constraint summaries_document_fkey foreign key (organization_id, document_id)
        references documents (organization_id, id) on delete cascade
    );

    create index summaries_by_document_idx on summaries (organization_id, document_id, id);
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table summaries;
    drop table document_links;
    drop table document_topics;
    drop table topics;
    drop table documents;
    drop table organizations;
  `.execute(db)
}
