/** Each error class, provoked for real on both backends, and what gets logged. */

import { createDocumentsFactory, type DocumentsScope } from '@serverless-dal/documents'
import { startNeonStandIn } from '@serverless-dal/local-services'
import {
  ConflictError,
  ForbiddenError,
  ForeignKeyError,
  NotFoundError,
  TransientError,
  ValidationError,
} from '@serverless-dal/repository'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allDrivers } from '../../support/drivers.ts'
import { orgId, repositoryBackends } from '../../support/repository-backends.ts'

describe.each(repositoryBackends.map((make) => make()))('errors on $name', (backend) => {
  let repos: DocumentsScope
  let viewer: DocumentsScope
  let docId: number
  beforeAll(async () => {
    await backend.setup()
    const factory = backend.factory({ retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } })
    const org = orgId('errors')
    repos = factory.forTenant({ orgId: org, role: 'editor' })
    viewer = factory.forTenant({ orgId: org, role: 'viewer' })
    docId = (await repos.documents.create({ title: 'existing' })).id
    await repos.topics.create({ name: 'taken' })
  })
  afterAll(() => backend.teardown())

  const cases: Array<[string, new (...args: never[]) => Error, () => Promise<unknown>]> = [
    ['a missing row', NotFoundError, () => repos.documents.findById(987_654_321)],
    ['a unique violation', ConflictError, () => repos.topics.create({ name: 'taken' })],
    ['a stale version', ConflictError, () => repos.documents.update(docId, { title: 'x' }, { expectedVersion: 42 })],
    ['an unknown filter', ValidationError, () => repos.documents.findMany({ author: 'x' } as never)],
    ['a malformed cursor', ValidationError, () => repos.documents.findMany({}, { cursor: 'garbage' })],
    ['a check violation', ValidationError, () => repos.documents.create({ title: 'x'.repeat(501) })],
    ['a not-null violation', ValidationError, () => repos.summaries.create({ documentId: docId, text: null as never })],
    ['invalid input syntax', ValidationError, () => repos.documents.findMany({ createdAt: { gte: 'not a date' } })],
    ['a missing referenced row', ForeignKeyError, () => repos.summaries.create({ documentId: 987_654_321, text: 't' })],
    ['a role without the permission', ForbiddenError, () => viewer.topics.create({ name: 'x' })],
    ['an editor deleting', ForbiddenError, () => repos.documents.delete(docId)],
    ['a read-only transaction', ForbiddenError, () => viewer.read((db) => sql`delete from topics`.execute(db))],
    [
      'retries exhausted',
      TransientError,
      () =>
        repos.write((db) =>
          sql`do $$ begin raise exception 'x' using errcode = 'deadlock_detected'; end $$`.compile(db),
        ),
    ],
  ]

  it.each(cases)('raises the right class for %s', async (_, expected, provoke) => {
    const error = await provoke().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(expected)
  })

  it('names the repository and operation, and keeps the cause', async () => {
    const error = (await repos.topics.create({ name: 'taken' }).catch((e: unknown) => e)) as ConflictError
    expect(error).toMatchObject({ repository: 'topics', operation: 'create', reason: 'unique' })
    expect((error.cause as { code?: string }).code).toBe('23505')
  })
})

describe('a database that cannot be reached', () => {
  it('answers Transient and logs context without row data or parameter values', async () => {
    const dead = await startNeonStandIn({ upstreamUrl: 'postgres://postgres@127.0.0.1:1/none' })
    const logged: Array<[string, Record<string, unknown>]> = []
    const factory = createDocumentsFactory({
      database: {
        driver: 'neon-pool',
        connectionString: 'postgres://postgres@127.0.0.1:1/none',
        proxy: { webSocketUrl: dead.webSocketUrl },
        connectionTimeoutMs: 2000,
      },
      ...allDrivers,
      cursorSecret: 'a-cursor-secret-for-this-test',
      logger: { warn: (m, c) => logged.push([m, c]), error: (m, c) => logged.push([m, c]) },
    })
    try {
      const repos = factory.forTenant({ orgId: 'unreachable', role: 'editor' })
      await expect(repos.documents.create({ title: 'secret title 4711' })).rejects.toBeInstanceOf(TransientError)
      expect(logged).toContainEqual([
        expect.any(String),
        expect.objectContaining({
          repository: 'documents',
          operation: 'create',
          error: 'TransientError',
          reason: expect.stringContaining('cannot connect to Postgres at 127.0.0.1:1'),
        }),
      ])
      expect(JSON.stringify(logged)).not.toContain('secret title 4711')
    } finally {
      await factory.dispose()
      await dead.close()
    }
  })
})
