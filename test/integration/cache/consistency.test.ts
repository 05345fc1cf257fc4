/**
 * Read-your-writes across isolates: two services (two isolates, each with its
 * own memory tier) on one Postgres and one Redis. A write answers a
 * `Consistency-Token`; a read that sends it back never sees older data, in
 * any isolate, while the memory tier keeps serving what is already newer.
 * Without a token an isolate's memory answers within its declared bound. And
 * the package's own knobs: a scope's token, `strong` and `fresh` reads.
 */
import { type DocumentsFactory, documentTags } from '@serverless-dal/documents'
import { type MetricsBatch, RepositoryMetrics, silentLogger } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, apiOver, type DocumentBody } from '../../support/api.ts'
import { type CacheFixture, cacheFixture, type Fault, faultyRedis, PATIENT } from '../../support/cache-fixtures.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
let writer: Api
let reader: Api
beforeAll(async () => {
  fx = await cacheFixture()
  const shared = { CACHE_NAMESPACE: `rw-${Math.random().toString(36).slice(2)}`, HOT_KEY_SAMPLE_EVERY: '1000000' }
  writer = apiOver(fx.backend, fx.client(), shared)
  reader = apiOver(fx.backend, fx.client(), shared)
})
afterAll(() => fx?.close())

const titleOf = async (response: Response) => ((await response.json()) as DocumentBody).title
const cacheStatus = (response: Response) => response.headers.get('cache-status') ?? ''

describe('a consistency token, through the API', () => {
  it("makes another isolate's next read see the write, then lets its memory serve the newer entry", async () => {
    const org = orgId('rw-token')
    const a = await writer.client(org, 'editor')
    const b = await reader.client(org, 'viewer')
    const created = (await (await a.post('/documents', { title: 'old' })).json()) as DocumentBody
    await b.get(`/documents/${created.id}`)
    expect(cacheStatus(await b.get(`/documents/${created.id}`))).toMatch(/memory; hit/)

    const patched = await a.patch(`/documents/${created.id}`, { title: 'new' }, { 'if-match': `"${created.version}"` })
    expect(patched.status).toBe(200)
    const token = patched.headers.get('consistency-token')
    expect(token).toMatch(/^c1\.[\w-]+\.\d+$/)
    expect(token?.length).toBeLessThanOrEqual(200)

    expect(await titleOf(await b.get(`/documents/${created.id}`))).toBe('old') // no token: within the bound
    const seen = await b.get(`/documents/${created.id}`, { 'consistency-token': token ?? '' })
    expect(await titleOf(seen)).toBe('new')
    expect(cacheStatus(seen)).not.toMatch(/memory; hit/)
    const again = await b.get(`/documents/${created.id}`, { 'consistency-token': token ?? '' })
    expect(await titleOf(again)).toBe('new')
    expect(cacheStatus(again)).toMatch(/memory; hit/) // newer than the token: memory answers
  })

  it('costs a forged token only cache hits, never a wrong answer', async () => {
    const org = orgId('rw-forged')
    const a = await writer.client(org, 'editor')
    const b = await reader.client(org, 'viewer')
    const created = (await (await a.post('/documents', { title: 'kept' })).json()) as DocumentBody
    await b.get(`/documents/${created.id}`)
    for (const forged of [`c1.${org}.99999999999999999999`, `c1.${org}.db`, 'c1.other-org.1', 'garbage']) {
      const response = await b.get(`/documents/${created.id}`, { 'consistency-token': forged })
      expect(response.status).toBe(200)
      expect(await titleOf(response)).toBe('kept')
    }
  })

  it('reads from the database on `Cache-Control: no-cache`', async () => {
    const org = orgId('rw-no-cache')
    const a = await writer.client(org, 'editor')
    const created = (await (await a.post('/documents', { title: 'fresh' })).json()) as DocumentBody
    await a.get(`/documents/${created.id}`)
    const response = await a.get(`/documents/${created.id}`, { 'cache-control': 'no-cache' })
    expect(cacheStatus(response)).not.toMatch(/hit/)
    expect(await titleOf(response)).toBe('fresh')
  })
})

describe('the package', () => {
  let one: DocumentsFactory
  let two: DocumentsFactory
  beforeAll(() => {
    const cache = { redis: fx.client(), namespace: `rw-pkg-${Math.random().toString(36).slice(2)}`, ...PATIENT }
    one = fx.backend.factory({ cache })
    two = fx.backend.factory({ cache })
  })

  it("yields a transaction's token, which a scope or a single read accepts", async () => {
    const org = orgId('rw-pkg')
    const writes = one.forTenant({ orgId: org, role: 'editor' })
    const doc = await writes.documents.create({ title: 'v1' })
    const reads = two.forTenant({ orgId: org, role: 'viewer' })
    await reads.documents.findById(doc.id)
    await reads.documents.findById(doc.id)
    await writes.transaction(async (tx) => {
      await tx.documents.update(doc.id, { title: 'v2' })
      await tx.documents.update(doc.id, { body: 'changed twice, one token' })
    })
    const token = writes.consistencyToken
    expect(token).toBeDefined()
    expect((await reads.documents.findById(doc.id)).title).toBe('v1') // memory, within its bound
    expect((await reads.documents.findById(doc.id, { consistencyToken: token })).title).toBe('v2')
    const scoped = two.forTenant({ orgId: org, role: 'viewer' }, { consistencyToken: token })
    expect((await scoped.documents.findById(doc.id)).title).toBe('v2')
    expect(reads.cacheOutcomes).toEqual(['miss', 'memory-hit', 'memory-hit', 'miss'])
    expect(scoped.cacheOutcomes).toEqual(['memory-hit']) // the entry the token read stored is newer than it
  })

  it('tells each answer’s age, remaining freshness, whether it was stored and whether it shared a load', async () => {
    const org = orgId('rw-answers')
    const repos = one.forTenant({ orgId: org, role: 'editor' })
    const doc = await repos.documents.create({ title: 'answers' })
    await Promise.all([repos.documents.findById(doc.id), repos.documents.findById(doc.id)])
    await new Promise((resolve) => setTimeout(resolve, 20))
    await repos.documents.findById(doc.id)
    const [first, second, hit] = repos.cacheAnswers
    expect([first, second]).toEqual(
      expect.arrayContaining([
        { outcome: 'miss', storedIn: ['memory', 'redis'] },
        { outcome: 'miss', storedIn: ['memory', 'redis'], collapsed: true },
      ]),
    )
    expect(hit?.outcome).toBe('memory-hit')
    expect(hit?.ageMs).toBeGreaterThanOrEqual(20)
    expect((hit?.ageMs ?? 0) + (hit?.ttlMs ?? 0)).toBe(60_000) // findById's declared TTL
  })

  it('checks sampled hits against the database and counts the stale ones, with their age, as metrics', async () => {
    const batches: MetricsBatch[] = []
    const metrics = new RepositoryMetrics({ sink: { publish: (batch) => batches.push(batch) }, logger: silentLogger })
    const cache = { redis: fx.client(), ...PATIENT, consistencyChecks: { sampleEvery: 1, maxShareOfLoads: 1 } }
    const checked = fx.backend.factory({ cache, metrics })
    const org = orgId('rw-checks')
    const repos = checked.forTenant({ orgId: org, role: 'editor' })
    const [doc, other] = await repos.documents.createMany([{ title: 'checked' }, { title: 'other' }])
    await repos.documents.findById(doc!.id) // a load: it earns one check
    await repos.documents.findById(doc!.id) // a hit, checked: it matches
    await checked.cache?.idle()
    // the row changes behind the cache's back (no tags: no invalidation), so the next hit is stale
    await repos.write((db) => db.updateTable('documents').set({ title: 'changed behind' }).where('id', '=', doc!.id))
    await repos.documents.findById(other!.id) // another load, another check earned
    expect((await repos.documents.findById(doc!.id)).title).toBe('checked')
    await checked.cache?.idle()
    expect(checked.cache?.stats().consistency['documents.findById']).toMatchObject({
      checks: 2,
      stale: 1,
      staleAgesMs: [expect.any(Number)],
    })
    await repos.dispose()
    const series = batches.flatMap((batch) => batch.groups.flatMap((group) => group.metrics))
    const total = (name: string) =>
      series.filter((s) => s.name === name).reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0)
    expect([total('CacheConsistencyChecks'), total('CacheStaleReads')]).toEqual([2, 1])
    expect(series.some((s) => s.name === 'CacheStaleReadAge' && s.unit === 'Milliseconds')).toBe(true)
  })

  it("counts a memory hit another isolate's write had already made obsolete as stale", async () => {
    const cache = {
      redis: fx.client(),
      namespace: `rw-sampled-${Math.random().toString(36).slice(2)}`,
      ...PATIENT,
      consistencyChecks: { sampleEvery: 1, maxShareOfLoads: 1 },
    }
    const [writerIsolate, readerIsolate] = [fx.backend.factory({ cache }), fx.backend.factory({ cache })]
    const org = orgId('rw-sampled')
    const doc = await writerIsolate.forTenant({ orgId: org, role: 'editor' }).documents.create({ title: 'before' })
    const reads = readerIsolate.forTenant({ orgId: org, role: 'viewer' })
    await reads.documents.findById(doc.id)
    await writerIsolate.forTenant({ orgId: org, role: 'editor' }).documents.update(doc.id, { title: 'after' })
    expect((await reads.documents.findById(doc.id)).title).toBe('before') // memory, within its bound
    await readerIsolate.cache?.idle()
    expect(readerIsolate.cache?.stats().consistency['documents.findById']).toMatchObject({ checks: 1, stale: 1 })
  })

  it("keeps a scope's token when a read sends one that asks less", async () => {
    const org = orgId('rw-stricter')
    const writes = one.forTenant({ orgId: org, role: 'editor' })
    const doc = await writes.documents.create({ title: 'first' })
    const reads = two.forTenant({ orgId: org, role: 'viewer' })
    await reads.documents.findById(doc.id)
    await writes.documents.update(doc.id, { title: 'second' })
    const scoped = two.forTenant({ orgId: org, role: 'viewer' }, { consistencyToken: writes.consistencyToken })
    for (const weaker of ['garbage', `c1.${org}.1`, 'c1.other-org.99']) {
      expect((await scoped.documents.findById(doc.id, { consistencyToken: weaker })).title).toBe('second')
    }
  })

  it('answers `db` tokens while an earlier invalidation of the organization has not reached Redis', async () => {
    const fault = { current: 'none' as Fault, calls: 0 }
    const cache = { redis: faultyRedis(fx.client(), fault), ...PATIENT, breaker: { failureThreshold: 1_000 } }
    const flaky = fx.backend.factory({ cache })
    const org = orgId('rw-pending')
    const repos = flaky.forTenant({ orgId: org, role: 'editor' })
    const [a, b] = await repos.documents.createMany([{ title: 'a' }, { title: 'b' }])
    fault.current = 'error'
    await repos.documents.update(a!.id, { title: 'a2' }) // its bump fails and stays pending
    expect(repos.consistencyToken).toBe(`c1.${org}.db`)
    fault.current = 'none'
    await repos.documents.update(b!.id, { title: 'b2' }) // this one reaches Redis, but a2's has not yet
    expect(repos.consistencyToken).toBe(`c1.${org}.db`)
  })

  it('reads `strong` past this isolate memory and `fresh` from the database', async () => {
    const org = orgId('rw-levels')
    const repos = one.forTenant({ orgId: org, role: 'editor' })
    const doc = await repos.documents.create({ title: 'levels' })
    await repos.documents.findById(doc.id)
    await one.cache?.idle()
    await repos.documents.findById(doc.id, { consistency: 'strong' })
    await repos.documents.findById(doc.id, { consistency: 'fresh' })
    await repos.documents.findById(doc.id)
    expect(repos.cacheOutcomes).toEqual(['miss', 'redis-hit', 'bypass', 'memory-hit'])
    await repos.write((db) => db.updateTable('documents').set({ title: 'raw' }).where('id', '=', doc.id), {
      tags: [documentTags.row(doc.id)],
    })
    expect(repos.consistencyToken).toMatch(/^c1\./)
  })
})
