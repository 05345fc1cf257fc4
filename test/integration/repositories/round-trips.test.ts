/**
 * Round trips to the database, counted on every driver: what each
 * repository path sends, and in how many exchanges. A read is one round
 * trip carrying the tenant's settings and the query; a write is one, the
 * settings (and the organization's row, the first time) riding with it; a
 * transaction sends BEGIN and the settings with its first statement.
 */

import { createDocumentsFactory, documentsMigrations } from '@serverless-dal/documents'
import { type DelayProxy, type NeonStandIn, startDelayProxy, startNeonStandIn } from '@serverless-dal/local-services'
import {
  createDatabase,
  type DatabaseConfig,
  type DatabaseLifetime,
  migrateToLatest,
  perProcessLifetime,
  type Statement,
  silentLogger,
} from '@serverless-dal/repository'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allDrivers } from '../../support/drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.ts'
import { orgId, repositoryBackends } from '../../support/repository-backends.ts'

/** What each statement of a round trip is, by its SQL. */
const LABELS: Array<[RegExp, string]> = [
  [/^select set_config\(/, 'settings'],
  [/^insert into organizations/, 'provision'],
  [/^delete from idempotency_keys/, 'free key'],
  [/^(begin|start transaction)/, 'begin'],
  [/^savepoint/, 'savepoint'],
  [/^release savepoint/, 'release'],
  [/^commit/, 'commit'],
]
/** Each round trip as labels; a read's `set transaction read only` (a header on HTTP) is left out. */
const shapes = (trips: readonly Statement[][]) =>
  trips.map((trip) =>
    trip
      .filter((statement) => !statement.sql.startsWith('set transaction'))
      .map((statement) => LABELS.find(([pattern]) => pattern.test(statement.sql.trim()))?.[1] ?? 'statement'),
  )

describe.each(repositoryBackends.map((make) => make()))('round trips on $name', (backend) => {
  beforeAll(() => backend.setup())
  afterAll(() => backend.teardown())

  const measure = async <T>(work: () => Promise<T>) => {
    backend.clearQueries()
    const result = await work()
    return { result, trips: shapes(backend.roundTrips) }
  }

  it('reads in one round trip: the settings and the query', async () => {
    const repos = backend.factory().forTenant({ orgId: orgId('rt-read'), role: 'editor' })
    const doc = await repos.documents.create({ title: 'read me' })
    expect((await measure(() => repos.documents.findById(doc.id, { include: ['topics', 'summaries'] }))).trips).toEqual(
      [['settings', 'statement']],
    )
    expect((await measure(() => repos.documents.findMany({ status: 'draft' }))).trips).toHaveLength(1)
    expect((await measure(() => repos.documents.findRelatedDocuments(doc.id))).trips).toHaveLength(1)
  })

  it('writes in one round trip, the organization provisioned in the same one the first time', async () => {
    const repos = backend.factory().forTenant({ orgId: orgId('rt-write'), role: 'admin' })
    const topic = await measure(() => repos.topics.create({ name: 'first' }))
    expect(topic.trips).toEqual([['settings', 'provision', 'statement']])
    const created = await measure(() =>
      repos.documents.create({ title: 'with all', topicIds: [topic.result.id], summary: 'short' }),
    )
    expect(created.trips).toEqual([['settings', 'statement']])
    expect(created.result).toMatchObject({ topicIds: [topic.result.id], summaries: [{ text: 'short' }] })
    const id = created.result.id
    const writes: Array<() => Promise<unknown>> = [
      () => repos.documents.update(id, { title: 'changed' }, { expectedVersion: 1, topicIds: [] }),
      () => repos.documents.setTopics(id, [topic.result.id]),
      () => repos.documents.link(id, id + 0).catch(() => undefined), // a self link: refused, still one trip
      () => repos.documents.delete(id),
    ]
    for (const write of writes) expect((await measure(write)).trips).toHaveLength(1)
  })

  it('makes an idempotent create one round trip, and its replay two', async () => {
    const repos = backend.factory().forTenant({ orgId: orgId('rt-once'), role: 'editor' })
    const request = { key: 'k-1', requestHash: 'h' }
    const first = await measure(() => repos.documents.createOnce(request, { title: 'once', topicIds: [] }))
    expect(first.trips).toEqual([['settings', 'provision', 'free key', 'statement']])
    const replay = await measure(() => repos.documents.createOnce(request, { title: 'once', topicIds: [] }))
    expect(replay.trips).toHaveLength(2)
    expect(replay.result).toEqual({ row: first.result.row, replayed: true })
  })

  if (backend.supportsSessions) {
    it('sends BEGIN and the settings with the first statement of a transaction, COMMIT with what waits', async () => {
      const repos = backend.factory().forTenant({ orgId: orgId('rt-tx'), role: 'editor' })
      await repos.topics.create({ name: 'provisioned already' })
      const { trips } = await measure(() =>
        repos.transaction(async (tx) => {
          const doc = await tx.documents.create({ title: 'one' })
          await tx.transaction((inner) => inner.summaries.create({ documentId: doc.id, text: 'two' }))
        }),
      )
      expect(trips).toEqual([
        ['begin', 'settings', 'statement'],
        ['savepoint', 'statement'],
        ['release', 'commit'],
      ])
    })

    it('costs nothing for a transaction that ran no statement', async () => {
      const repos = backend.factory().forTenant({ orgId: orgId('rt-empty'), role: 'editor' })
      expect((await measure(() => repos.transaction(async () => 'nothing'))).trips).toEqual([])
    })
  }

  // Drivers whose connections are pooled sessions (PGlite has exactly one): settings must not outlive their unit.
  if (backend.driver !== 'neon' && backend.driver !== 'neon-http') {
    it('leaves no tenant setting on a pooled connection for the next user', async () => {
      // PGlite is one session already; the pools get one connection, so every unit below shares it.
      const lifetime =
        backend.driver === 'pglite'
          ? backend.lifetime
          : perProcessLifetime({ ...backend.config, maxConnections: 1 } as DatabaseConfig, allDrivers)
      const database = lifetime.lease().database
      const factory = backend.factory({ database: lifetime })
      const a = factory.forTenant({ orgId: orgId('leak-a'), role: 'editor' })
      const b = factory.forTenant({ orgId: orgId('leak-b'), role: 'viewer' })
      const pidOf = await a.read((db) => sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db))
      const first = pidOf.rows[0]?.pid
      await a.documents.create({ title: 'a' })
      // b reads right after a wrote, on the same connection: it sees its own rows only (none)
      expect((await b.documents.findMany()).items).toEqual([])
      expect((await b.read((db) => sql`select title from documents`.execute(db))).rows).toEqual([])
      if (backend.supportsSessions) await a.transaction((tx) => tx.documents.create({ title: 'a2' }))
      const after = await sql<{ pid: number; org: string | null; role: string; timeout: string }>`
        select pg_backend_pid() as pid, current_setting('app.organization_id', true) as org,
               current_user as role, current_setting('statement_timeout') as timeout`.execute(database.db)
      expect(after.rows[0]?.pid).toBe(first) // the same connection served both tenants and this check
      expect(after.rows[0]).toMatchObject({ org: expect.toBeOneOf(['', null]), timeout: '0' })
      expect(after.rows[0]?.role).not.toBe('dal_app')
      if (lifetime !== backend.lifetime) await lifetime.dispose()
    })
  }
})

/**
 * The same, counted on the wire: a TCP proxy in front of Postgres counts the
 * exchanges (client speaks after the server answered) and the connections,
 * so neither a statement sent apart nor a connection opened anew can hide.
 */
describe.each(['pg', 'neon-pool'] as const)('round trips on the wire through %s', (driver) => {
  let scratch: ScratchDatabase
  let proxy: DelayProxy
  let neon: NeonStandIn | undefined
  let lifetime: DatabaseLifetime
  beforeAll(async () => {
    scratch = await createScratchDatabase('wire')
    const direct = createDatabase({ driver: 'pg', connectionString: scratch.url }, { pg })
    await migrateToLatest(direct.db, documentsMigrations).finally(() => direct.dispose())
    const url = new URL(scratch.url)
    proxy = await startDelayProxy({ target: { host: url.hostname, port: Number(url.port || 5432) }, delayMs: 0 })
    url.host = `127.0.0.1:${proxy.port}`
    if (driver === 'neon-pool') neon = await startNeonStandIn({ upstreamUrl: url.href })
    const config: DatabaseConfig =
      driver === 'pg'
        ? { driver, connectionString: url.href }
        : { driver, connectionString: url.href, proxy: { webSocketUrl: (neon as NeonStandIn).webSocketUrl } }
    lifetime = perProcessLifetime(config, allDrivers)
  })
  afterAll(async () => {
    await lifetime?.dispose()
    await neon?.close()
    await proxy?.close()
    await scratch?.drop()
  })

  it('reads and writes in one exchange each, a transaction of two writes in three, on a warm connection', async () => {
    const factory = createDocumentsFactory({
      database: lifetime,
      cursorSecret: 'wire-cursor-secret-0123',
      cache: false,
      logger: silentLogger,
    })
    const repos = factory.forTenant({ orgId: orgId('wire'), role: 'editor' })
    const doc = await repos.documents.create({ title: 'warm-up' }) // opens the connection, provisions the organization
    const exchanges = async (work: () => Promise<unknown>) => {
      proxy.resetRoundTrips()
      await work()
      return { exchanges: proxy.roundTrips(), connections: proxy.connections() }
    }
    expect(await exchanges(() => repos.documents.findById(doc.id))).toEqual({ exchanges: 1, connections: 0 })
    expect(await exchanges(() => repos.documents.create({ title: 'one' }))).toEqual({ exchanges: 1, connections: 0 })
    expect(
      await exchanges(() =>
        repos.transaction(async (tx) => {
          await tx.documents.create({ title: 'two' })
          await tx.documents.create({ title: 'three' })
        }),
      ),
    ).toEqual({ exchanges: 3, connections: 0 })
  })
})
