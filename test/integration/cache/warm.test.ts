/**
 * The cache-warm job on Postgres (Neon driver) and Redis (Upstash bridge):
 * hot keys sampled from reads, refreshed before they expire, within a time
 * budget, once per key across concurrent runs, never across tenants, and
 * failing soft when Redis or Postgres is down.
 */
import { createDocumentsFactory, type DocumentsScope, warmDocuments } from '@serverless-dal/documents'
import { type CacheOptions, silentLogger, type Warmer } from '@serverless-dal/repository'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CacheFixture, cacheFixture, documentReads, faultyRedis, PATIENT } from '../../support/cache-fixtures.ts'
import { orgId } from '../../support/repository-backends.ts'
import { unreachableDatabase } from '../../support/unreachable-database.ts'

let fx: CacheFixture
beforeAll(async () => {
  fx = await cacheFixture()
})
afterAll(() => fx?.close())

/** Factories sharing one fresh namespace: hot sets and entries of this test only. */
function isolates(cache: Partial<CacheOptions> = {}) {
  const namespace = `warm-${Math.random().toString(36).slice(2, 10)}`
  const make = (extra: Partial<CacheOptions> = {}) =>
    fx.backend.factory({
      cache: { redis: fx.client(), namespace, hotKeys: { sampleEvery: 1 }, ...PATIENT, ...cache, ...extra },
    })
  return { namespace, make }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const NO_WARMERS: Warmer<DocumentsScope>[] = []

describe('the warm job', () => {
  it('keeps hot keys warm: after a run, reads past their first TTL are Redis hits with no query', async () => {
    const { make } = isolates({ ttlMs: { findById: 1_500 }, graceMs: 50, memory: false })
    const app = make()
    const org = orgId('warm-hot')
    const repos = app.forTenant({ orgId: org, role: 'editor' })
    const doc = await repos.documents.create({ title: 'hot', status: 'published' })
    await repos.documents.findById(doc.id) // traffic: sampled into the hot set
    await repos.documents.findById(doc.id)
    await app.cache?.idle()

    await sleep(700)
    const report = await warmDocuments(make(), { budgetMs: 5_000 })
    expect(report).toMatchObject({ tenants: 1, failed: 0, redisUnavailable: false, stoppedByBudget: false })
    expect(report.warmed).toBeGreaterThanOrEqual(2) // the hot findById and the latest published page

    await sleep(1_000) // past the TTL of the entry the traffic stored
    fx.backend.clearQueries()
    const reader = make().forTenant({ orgId: org, role: 'viewer' })
    expect((await reader.documents.findById(doc.id)).title).toBe('hot')
    const page = await reader.documents.findMany({ status: 'published' }, { include: ['topics'] })
    expect(page.items.map((d) => d.id)).toEqual([doc.id])
    expect(reader.cacheOutcomes).toEqual(['redis-hit', 'redis-hit'])
    expect(documentReads(fx.backend)).toBe(0)
  })

  it("answers a warm scope's read with its value even when another run holds the key", async () => {
    const { make } = isolates({ memory: false })
    const app = make()
    const org = orgId('warm-value')
    const doc = await app.forTenant({ orgId: org, role: 'editor' }).documents.create({ title: 'valued' })
    const outcomes: string[] = []
    const warm = app.forTenant({ orgId: org, role: 'viewer' }, { warming: (outcome) => outcomes.push(outcome) })
    const both = await Promise.all([warm.documents.findById(doc.id), warm.documents.findById(doc.id)])
    expect(outcomes.sort()).toEqual(['skipped', 'warmed'])
    expect(both.map((read) => read.title)).toEqual(['valued', 'valued'])
  })

  it('warms each key once when two runs start at once', async () => {
    const { make } = isolates({ memory: false })
    const app = make()
    const org = orgId('warm-twice')
    const repos = app.forTenant({ orgId: org, role: 'editor' })
    const docs = await repos.documents.createMany([{ title: 'a' }, { title: 'b' }, { title: 'c' }])
    for (const doc of docs) await repos.documents.findById(doc.id)
    await app.cache?.idle()

    const [first, second] = await Promise.all([
      warmDocuments(make(), { warmers: NO_WARMERS }),
      warmDocuments(make(), { warmers: NO_WARMERS }),
    ])
    expect(first.warmed + second.warmed).toBe(3)
    expect(first.skipped + second.skipped).toBe(3)
    expect(first.failed + second.failed).toBe(0)
  })

  it('keeps to its time budget with a slow query', async () => {
    const { make } = isolates()
    const app = make()
    const org = orgId('warm-slow')
    const repos = app.forTenant({ orgId: org, role: 'editor' })
    const doc = await repos.documents.create({ title: 'x' })
    await repos.documents.findById(doc.id)
    await app.cache?.idle()

    const slow: Warmer<DocumentsScope> = {
      name: 'slow',
      run: async (read) => {
        await sql`select pg_sleep(3)`.execute(read.db)
      },
    }
    const started = Date.now()
    const report = await warmDocuments(make(), { budgetMs: 400, concurrency: 1, warmers: [slow, slow] })
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(report.stoppedByBudget).toBe(true)
    expect(report.durationMs).toBeLessThan(1_500)
  })

  it('never warms one organization’s hot keys in another’s scope', async () => {
    const { make } = isolates({ memory: false })
    const app = make()
    const [a, b] = [orgId('warm-a'), orgId('warm-b')]
    const theirs = await app.forTenant({ orgId: b, role: 'editor' }).documents.create({ title: 'b secret' })
    const mine = app.forTenant({ orgId: a, role: 'editor' })
    const own = await mine.documents.create({ title: 'a own' })
    await mine.documents.findById(own.id)
    // a's traffic once asked for b's id (it answered 404): that query is hot for a, not for b
    await expect(mine.documents.findById(theirs.id)).rejects.toThrow()
    await app.cache?.idle()

    const report = await warmDocuments(make(), { warmers: NO_WARMERS })
    expect(report.warmed).toBe(1) // a's own document
    expect(report.skipped).toBe(1) // b's id, in a's scope: not found, nothing stored
    expect(report.failed).toBe(0)

    const asA = make().forTenant({ orgId: a, role: 'viewer' })
    await expect(asA.documents.findById(theirs.id)).rejects.toThrow(/not found/)
    const asB = make().forTenant({ orgId: b, role: 'viewer' })
    expect((await asB.documents.findById(theirs.id)).title).toBe('b secret')
    expect(asB.cacheOutcomes).toEqual(['miss']) // b never read it: nothing warmed it for b
  })

  it('ends at once, reporting it, when Redis is down', async () => {
    const fault = { current: 'error' as const, calls: 0 }
    const broken = fx.backend.factory({
      cache: { redis: faultyRedis(fx.client(), fault), breaker: { failureThreshold: 1 } },
      logger: silentLogger,
    })
    const report = await warmDocuments(broken)
    expect(report).toMatchObject({ redisUnavailable: true, warmed: 0, failed: 0, tenants: 0 })
    expect(fault.calls).toBe(1)
  })

  it('writes nothing when Postgres is down', async () => {
    const { namespace, make } = isolates({ memory: false })
    const app = make()
    const org = orgId('warm-pg-down')
    const repos = app.forTenant({ orgId: org, role: 'editor' })
    const doc = await repos.documents.create({ title: 'kept' })
    await repos.documents.findById(doc.id)
    await app.cache?.idle()
    const redis = fx.client()
    const keys = async () =>
      (await redis.keys(`${namespace}:*:${org}:documents:*`)).filter((k) => !k.includes(':gen:')).sort()
    const before = await Promise.all((await keys()).map((key) => redis.get(key)))

    const down = await unreachableDatabase()
    try {
      const unreachable = createDocumentsFactory({
        database: down.lifetime,
        cache: { redis: fx.client(), namespace, ...PATIENT },
        logger: silentLogger,
        cursorSecret: 'warm-tests-cursor-secret',
      })
      const report = await warmDocuments(unreachable, { warmers: NO_WARMERS })
      expect(report.warmed).toBe(0)
      expect(report.failed).toBeGreaterThanOrEqual(1)
      const after = await Promise.all((await keys()).map((key) => redis.get(key)))
      expect(after).toEqual(before)
    } finally {
      await down.close()
    }
  })
})

describe('hot keys', () => {
  it('are sampled, bounded per tenant, and fade with every run', async () => {
    const { make } = isolates({ hotKeys: { sampleEvery: 2, maxPerTenant: 2 }, memory: false })
    const app = make()
    const org = orgId('hot-bounds')
    const repos = app.forTenant({ orgId: org, role: 'editor' })
    const docs = await repos.documents.createMany(Array.from({ length: 12 }, (_, i) => ({ title: `d${i}` })))
    for (const doc of docs) await repos.documents.findById(doc.id) // 12 reads: 6 sampled
    await app.cache?.idle()
    const hot = app.cache?.hotKeys
    const first = await hot?.hottest(org, 100)
    expect(first?.length).toBeGreaterThan(0)
    expect(first?.length).toBeLessThanOrEqual(4) // trimmed to 2 whenever it passes twice that
    expect(first?.every((q) => q.repository === 'documents' && q.operation === 'findById')).toBe(true)
    const scores = async () => (await hot?.hottest(org, 100))?.map((q) => q.score)
    expect(await scores()).toEqual(first?.map((q) => q.score / 2))
    await hot?.hottest(org, 100)
    expect(await scores()).toEqual([]) // 1 → 0.5 → 0.25 → faded
  })
})
