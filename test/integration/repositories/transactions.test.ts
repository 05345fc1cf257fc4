/**
 * Transactions on both backends: rollback on throw, savepoints for nested
 * calls, after-commit actions, isolation level, statement timeout, and retry
 * of serialization failures.
 */
import { type DB, type DocumentsFactory, type DocumentsScope, type Topic, topicTags } from '@serverless-dal/documents'
import {
  BaseRepository,
  ConflictError,
  type RepositoryContext,
  TransactionsUnsupportedError,
  TransientError,
  ValidationError,
} from '@serverless-dal/repository'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { neonHttpBackend, orgId, repositoryBackends } from '../../support/repository-backends.ts'

/** A repository of a team's own whose write runs two statements (two topics; the same name twice fails). */
class TopicPairs extends BaseRepository<DB, 'topics', Topic, never> {
  constructor(context: RepositoryContext<DB>) {
    super(context, {
      name: 'topicPairs',
      table: 'topics',
      writable: [],
      filters: {},
      sorts: { name: { column: 'name', direction: 'asc' } },
      defaultSort: 'name',
    })
  }

  pair(first: string, second: string) {
    return this.operate('pair', 'write', async (db, hooks) => {
      await db.insertInto('topics').values({ organizationId: this.orgId, name: first }).execute()
      await db.insertInto('topics').values({ organizationId: this.orgId, name: second }).execute()
      hooks.invalidate([topicTags.list]) // cached topic lists are obsolete once this commits
    })
  }
}

/** Raises a real Postgres serialization failure (SQLSTATE 40001) from inside the transaction. */
const serializationFailure = (tx: DocumentsScope) =>
  sql`do $$ begin raise exception 'injected conflict' using errcode = 'serialization_failure'; end $$`.execute(tx.db)

const withSessions = repositoryBackends.map((make) => make()).filter((backend) => backend.supportsSessions)

describe('transactions on neon-http', () => {
  const backend = neonHttpBackend()
  beforeAll(() => backend.setup())
  afterAll(() => backend.teardown())

  it('are refused with a clear error before anything is sent', async () => {
    const repos = backend.factory().forTenant({ orgId: orgId('http-tx'), role: 'editor' })
    backend.clearQueries()
    const error = await repos.transaction(async (tx) => tx.documents.create({ title: 'never' })).catch((e) => e)
    expect(error).toBeInstanceOf(TransactionsUnsupportedError)
    expect((error as Error).message).toMatch(/cannot hold one open; use the neon driver/)
    expect(backend.roundTrips).toEqual([])
    expect((await repos.documents.findMany()).items).toEqual([])
  })

  it('refuses write work of more than one statement, which needs one, before anything is sent', async () => {
    const repos = backend.factory().forTenant({ orgId: orgId('http-pair'), role: 'editor' })
    backend.clearQueries()
    await expect(repos.custom(TopicPairs).pair('a', 'b')).rejects.toMatchObject({
      cause: expect.any(TransactionsUnsupportedError),
    })
    expect(backend.roundTrips).toEqual([])
  })

  it('refuses, when the app is configured, a factory that says it needs them', () => {
    expect(() => backend.factory({ requireTransactions: true })).toThrow(
      /the neon-http driver cannot hold interactive transactions, which this app needs/,
    )
    expect(() => backend.factory({ requireTransactions: false })).not.toThrow()
  })
})

describe.each(withSessions)('transactions on $name', (backend) => {
  let factory: DocumentsFactory
  beforeAll(async () => {
    await backend.setup()
    factory = backend.factory({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } })
  })
  afterAll(() => backend.teardown())

  it('lets a factory that needs them be configured', () => {
    expect(() => backend.factory({ requireTransactions: true })).not.toThrow()
  })

  it('runs write work of several statements in a transaction of its own: all or nothing', async () => {
    const repos = editor()
    await expect(repos.custom(TopicPairs).pair('twice', 'twice')).rejects.toBeInstanceOf(ConflictError)
    expect((await repos.topics.findMany()).items).toEqual([]) // the first insert rolled back with the second
    await repos.custom(TopicPairs).pair('one', 'two')
    expect((await repos.topics.findMany()).items.map((t) => t.name)).toEqual(['one', 'two'])
  })

  it('replays an idempotent create inside a transaction, which goes on', async () => {
    const repos = editor()
    const request = { key: 'in-tx', requestHash: 'h' }
    const [first, second] = await repos.transaction(async (tx) => {
      const a = await tx.documents.createOnce(request, { title: 'once' })
      const b = await tx.documents.createOnce(request, { title: 'once' }) // the key is taken: a savepoint rolls back
      await tx.documents.create({ title: 'after' })
      return [a, b]
    })
    expect(second).toEqual({ row: first?.row, replayed: true })
    expect(await titles(repos)).toEqual(['after', 'once'])
  })

  const editor = () => factory.forTenant({ orgId: orgId('tx'), role: 'editor' })
  const titles = async (repos: DocumentsScope) =>
    (await repos.documents.findMany({}, { sort: 'title' })).items.map((d) => d.title)

  it('commits work done through repositories bound to the transaction', async () => {
    const repos = editor()
    const doc = await repos.transaction(async (tx) => {
      const d = await tx.documents.create({ title: 'With summary' })
      await tx.summaries.create({ documentId: d.id, text: '...' })
      return d
    })
    expect((await repos.documents.findById(doc.id, { include: ['summaries'] })).summaries).toHaveLength(1)
  })

  it("binds a repository's own transaction to that repository: it sees its writes, and a throw undoes them", async () => {
    const repos = editor()
    const title = { contains: 'bound then undone' }
    await expect(
      repos.documents.transaction(async (documents) => {
        await documents.create({ title: 'bound then undone' })
        expect(await documents.count({ title })).toBe(1)
        throw new Error('undo')
      }),
    ).rejects.toThrow('undo')
    expect(await repos.documents.count({ title })).toBe(0)
  })

  it('rolls back everything when the callback throws', async () => {
    const repos = editor()
    await expect(
      repos.transaction(async (tx) => {
        await tx.documents.create({ title: 'doomed' })
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect(await titles(repos)).toEqual([])
  })

  it('makes a nested call a savepoint: an inner rollback leaves the outer alive', async () => {
    const repos = editor()
    await repos.transaction(async (tx) => {
      await tx.documents.create({ title: 'outer' })
      await expect(
        tx.transaction(async (inner) => {
          await inner.documents.create({ title: 'inner' })
          throw new Error('inner fails')
        }),
      ).rejects.toThrow('inner fails')
      await tx.transaction(async (inner) => {
        await inner.documents.create({ title: 'inner kept' })
      })
      await tx.documents.create({ title: 'outer after' })
    })
    expect(await titles(repos)).toEqual(['inner kept', 'outer', 'outer after'])
  })

  it('rolls back released savepoints with the outer transaction', async () => {
    const repos = editor()
    await expect(
      repos.transaction(async (tx) => {
        await tx.transaction((inner) => inner.documents.create({ title: 'released' }))
        throw new Error('outer fails')
      }),
    ).rejects.toThrow('outer fails')
    expect(await titles(repos)).toEqual([])
  })

  it('runs after-commit actions once, after the outermost commit, and drops those of a rollback', async () => {
    const repos = editor()
    const ran: string[] = []
    await repos.transaction(async (tx) => {
      tx.afterCommit(() => {
        ran.push('outer')
      })
      await tx.transaction(async (inner) => {
        inner.afterCommit(() => {
          ran.push('released savepoint')
        })
      })
      await tx
        .transaction(async (inner) => {
          inner.afterCommit(() => {
            ran.push('rolled-back savepoint')
          })
          throw new Error('no')
        })
        .catch(() => {})
      expect(ran).toEqual([]) // nothing runs before COMMIT
    })
    expect(ran).toEqual(['outer', 'released savepoint'])

    await repos
      .transaction(async (tx) => {
        tx.afterCommit(() => {
          ran.push('rolled-back transaction')
        })
        throw new Error('rollback')
      })
      .catch(() => {})
    expect(ran).toEqual(['outer', 'released savepoint'])
  })

  it('runs after-commit actions once even when the transaction was retried', async () => {
    const repos = editor()
    const ran: number[] = []
    let attempts = 0
    await repos.transaction(async (tx) => {
      attempts += 1
      tx.afterCommit(() => {
        ran.push(attempts)
      })
      if (attempts === 1) await serializationFailure(tx)
    })
    expect({ attempts, ran }).toEqual({ attempts: 2, ran: [2] })
  })

  it('applies the isolation level and the statement timeout', async () => {
    const repos = editor()
    const level = await repos.transaction(
      async (tx) =>
        (await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(tx.db)).rows[0]
          ?.level,
      { isolationLevel: 'serializable' },
    )
    expect(level).toBe('serializable')
    const timeout = await repos.transaction(
      async (tx) =>
        (await sql<{ t: string }>`select current_setting('statement_timeout') as t`.execute(tx.db)).rows[0]?.t,
    )
    expect(timeout).toBe('10s')
  })

  it('retries a serialization failure to success', async () => {
    const repos = editor()
    let attempts = 0
    const doc = await repos.transaction(async (tx) => {
      attempts += 1
      const d = await tx.documents.create({ title: `attempt ${attempts}` })
      if (attempts < 3) await serializationFailure(tx)
      return d
    })
    expect(attempts).toBe(3)
    expect(await titles(repos)).toEqual([doc.title])
  })

  it('gives up after the configured attempts with a Transient error', async () => {
    const repos = editor()
    let attempts = 0
    const error = await repos
      .transaction(async (tx) => {
        attempts += 1
        await serializationFailure(tx)
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransientError)
    expect((error as Error).message).toMatch(/after 3 attempts/)
    expect(attempts).toBe(3)
  })

  it('does not retry other errors', async () => {
    const repos = editor()
    let attempts = 0
    await expect(
      repos.transaction(async (tx) => {
        attempts += 1
        await tx.documents.create({ title: '' })
      }),
    ).rejects.toBeInstanceOf(ValidationError)
    expect(attempts).toBe(1)
  })

  // Postgres only: PGlite has one session, so no other client can commit in between.
  if (backend.isPostgres)
    it('retries a real concurrent-update conflict under repeatable read', async () => {
      const repos = editor()
      const doc = await repos.documents.create({ title: 'contended' })
      const other = new pg.Client({ connectionString: backend.url })
      await other.connect()
      try {
        let attempts = 0
        const updated = await repos.transaction(
          async (tx) => {
            attempts += 1
            await tx.documents.findById(doc.id) // takes the snapshot
            if (attempts === 1) {
              // another client commits a change to the same row after our snapshot
              await other.query('update documents set body = $1 where id = $2', ['changed elsewhere', doc.id])
            }
            return tx.documents.update(doc.id, { title: 'mine' })
          },
          { isolationLevel: 'repeatable read' },
        )
        expect(attempts).toBe(2)
        expect(updated).toMatchObject({ title: 'mine', body: 'changed elsewhere' })
      } finally {
        await other.end()
      }
    })

  // PGlite runs in WASM without timer signals: it sets statement_timeout (checked above) but cannot enforce it.
  if (backend.isPostgres)
    it('fails a statement over the timeout with a Transient error', async () => {
      const quick = backend.factory({ statementTimeoutMs: 50 }).forTenant({ orgId: orgId('timeout'), role: 'editor' })
      await expect(
        quick.transaction(async (tx) => {
          await sql`select pg_sleep(1)`.execute(tx.db)
        }),
      ).rejects.toBeInstanceOf(TransientError)
    })
})
