/**
 * Leases (issue 19) on Postgres (Neon driver) and Redis (Upstash bridge):
 * the lookup that misses takes the key's lease in the same request, its
 * holder loads and its store releases it, others wait for that entry; a dead
 * holder only delays them; a write during the holder's load still wins; the
 * warm job and live traffic load a key once. Isolates are factories with
 * their own clients and memory tiers (the memory tier is off where a second
 * read must reach Redis). Processes: test/reliability/leases.test.ts.
 */
import { warmDocuments } from '@serverless-dal/documents'
import type { CacheOptions } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CacheFixture, cacheFixture, countingRedis, documentReads, PATIENT } from '../../support/cache-fixtures.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
beforeAll(async () => {
  fx = await cacheFixture()
})
afterAll(() => fx?.close())

const namespace = `lease-${Math.random().toString(36).slice(2, 10)}`
const isolate = (cache: Partial<CacheOptions> = {}) =>
  fx.backend.factory({ cache: { redis: fx.client(), namespace, memory: false, ...PATIENT, ...cache } })
const viewer = (factory: ReturnType<typeof isolate>, org: string) => factory.forTenant({ orgId: org, role: 'admin' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A gate the `beforeStore` hook waits at: the holder has loaded, holds the lease, and has not stored. */
function gate() {
  let open = () => {}
  let reached = () => {}
  const arrived = new Promise<void>((resolve) => {
    reached = resolve
  })
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return {
    hook: async () => {
      reached()
      await opened
    },
    arrived,
    open,
  }
}

/** The lease keys of an organization now in Redis. */
const leasesOf = async (org: string) => (await fx.client().keys(`${namespace}:*${org}*:lock`)).sort()

describe('leases', () => {
  it('are held by the miss that loads, from its lookup to its store, and never by a hit', async () => {
    const org = orgId('lease-held')
    const doc = await viewer(isolate(), org).documents.create({ title: 'held' })
    const held = gate()
    const holder = viewer(isolate({ hooks: { beforeStore: held.hook } }), org)
    const reading = holder.documents.findById(doc.id)
    await held.arrived
    expect(await leasesOf(org)).toHaveLength(1)
    held.open()
    expect((await reading).title).toBe('held')
    await holder.dispose() // its deferred store (which releases the lease) has landed
    expect(await leasesOf(org)).toEqual([])

    const redis = countingRedis(fx.client())
    const hit = viewer(isolate({ redis }), org)
    expect((await hit.documents.findById(doc.id)).title).toBe('held')
    expect(hit.cacheOutcomes).toEqual(['redis-hit'])
    expect(redis.calls).toEqual(['lookup']) // one request, and it took no lease
    expect(await leasesOf(org)).toEqual([])
  })

  it("makes other isolates wait for the holder's entry instead of querying", async () => {
    const org = orgId('lease-wait')
    const doc = await viewer(isolate(), org).documents.create({ title: 'awaited' })
    const held = gate()
    const holder = viewer(isolate({ hooks: { beforeStore: held.hook } }), org)
    fx.backend.clearQueries()
    const first = holder.documents.findById(doc.id)
    await held.arrived
    const waiters = Array.from({ length: 3 }, () => viewer(isolate(), org))
    const waiting = Promise.all(waiters.map((repos) => repos.documents.findById(doc.id)))
    await sleep(150)
    expect(documentReads(fx.backend)).toBe(1) // the holder's: the others are waiting
    held.open()
    const answers = await waiting
    expect((await first).title).toBe('awaited')
    expect(answers.map((d) => d.title)).toEqual(['awaited', 'awaited', 'awaited'])
    expect(waiters.flatMap((repos) => repos.cacheOutcomes)).toEqual(['redis-hit', 'redis-hit', 'redis-hit'])
    expect(documentReads(fx.backend)).toBe(1)
  })

  it('lets a dead holder delay the others only until its lease expires', async () => {
    const org = orgId('lease-dead')
    const ttlMs = 600
    const doc = await viewer(isolate(), org).documents.create({ title: 'orphaned' })
    // a holder that took the lease and died: its lease stays until its TTL
    const probe = gate()
    const dying = viewer(isolate({ lock: { ttlMs }, hooks: { beforeStore: probe.hook } }), org)
    const abandoned = dying.documents.findById(doc.id)
    await probe.arrived // it holds the lease; it never stores (the gate stays shut)
    const takenAt = Date.now()
    fx.backend.clearQueries()
    const survivor = viewer(isolate({ lock: { ttlMs } }), org)
    expect((await survivor.documents.findById(doc.id)).title).toBe('orphaned')
    const waited = Date.now() - takenAt
    expect(waited).toBeGreaterThanOrEqual(ttlMs - 100) // it waited for the lease…
    expect(waited).toBeLessThan(ttlMs + 700) // …and not much past its expiry
    expect(survivor.cacheOutcomes).toEqual(['miss'])
    expect(documentReads(fx.backend)).toBe(1)
    probe.open()
    await abandoned
  })

  it("never lets the holder's entry answer after a write committed during its load", async () => {
    const org = orgId('lease-race')
    const writer = viewer(isolate(), org)
    const doc = await writer.documents.create({ title: 'old' })
    const held = gate()
    const holder = viewer(isolate({ hooks: { beforeStore: held.hook } }), org)
    const first = holder.documents.findById(doc.id) // loads 'old', then holds before storing
    await held.arrived
    const waiter = viewer(isolate(), org)
    const waiting = waiter.documents.findById(doc.id)
    await writer.documents.update(doc.id, { title: 'new' }) // commits and bumps the generation
    held.open()
    expect((await first).title).toBe('old') // it started before the write: fine
    expect((await waiting).title).toBe('new') // the holder's entry was dead on arrival: the waiter loaded
  })

  it('makes a warm run and live traffic load a key once', async () => {
    const org = orgId('lease-warm')
    const traffic = isolate({ hotKeys: { sampleEvery: 1 } })
    const doc = await viewer(traffic, org).documents.create({ title: 'warm' })
    await viewer(traffic, org).documents.findById(doc.id) // sampled into the hot set
    await traffic.cache?.idle()
    await viewer(traffic, org).documents.update(doc.id, { title: 'warmer' }) // its entry is obsolete now

    const held = gate()
    const live = viewer(isolate({ hooks: { beforeStore: held.hook } }), org)
    const reading = live.documents.findById(doc.id) // a live miss holds the lease
    await held.arrived // …and has loaded
    fx.backend.clearQueries()
    const warming = warmDocuments(isolate(), { budgetMs: 5_000, warmers: [] })
    await sleep(150)
    held.open()
    const report = await warming
    expect((await reading).title).toBe('warmer')
    expect(report).toMatchObject({ warmed: 0, failed: 0 }) // the key was skipped: live traffic was loading it
    expect(report.skipped).toBeGreaterThanOrEqual(1)
    expect(documentReads(fx.backend)).toBe(0) // no load but the live holder's (before the run)
  })

  it('serves a stale entry within grace to every isolate, and refreshes it once: by the lease holder', async () => {
    const org = orgId('lease-stale')
    const short = { ttlMs: { findById: 300 } }
    const doc = await viewer(isolate(short), org).documents.create({ title: 'aging' })
    const first = isolate(short)
    await viewer(first, org).documents.findById(doc.id)
    await first.cache?.idle()
    await sleep(400) // past its TTL, within its grace
    fx.backend.clearQueries()
    const readers = Array.from({ length: 4 }, () => isolate(short))
    const answers = await Promise.all(readers.map((factory) => viewer(factory, org).documents.findById(doc.id)))
    await Promise.all(readers.map((factory) => factory.cache?.idle()))
    expect(answers.map((d) => d.title)).toEqual(['aging', 'aging', 'aging', 'aging'])
    expect(documentReads(fx.backend)).toBe(1) // one refresh across the four isolates
  })

  it('loads at once, without waiting, an entry the lookup could not tell was unreadable', async () => {
    const org = orgId('lease-unreadable')
    const first = isolate()
    const doc = await viewer(first, org).documents.create({ title: 'mangled' })
    await viewer(first, org).documents.findById(doc.id)
    await first.cache?.idle()
    const redis = fx.client()
    const [key] = (await redis.keys(`${namespace}:*${org}*findById*`)) as [string]
    const text = (await redis.get<string>(key)) as string
    // its stamp is current and fresh, its value cut short: the script sees a good entry, the reader cannot parse it
    await redis.set(key, text.slice(0, -5), { px: 60_000 })
    const started = Date.now()
    const reader = viewer(isolate(), org)
    expect((await reader.documents.findById(doc.id)).title).toBe('mangled')
    expect(reader.cacheOutcomes).toEqual(['miss'])
    expect(Date.now() - started).toBeLessThan(1_000) // not the lease's 2 s
  })

  it('marks a lease whose entry is too large for Redis, so readers load their own instead of queueing', async () => {
    const org = orgId('lease-unstorable')
    const small = { maxEntryBytes: 2_000 }
    const doc = await viewer(isolate(small), org).documents.create({ title: 'large', body: 'x'.repeat(5_000) })
    const holder = isolate(small)
    await viewer(holder, org).documents.findById(doc.id)
    await holder.cache?.idle()
    const [lease] = (await leasesOf(org)) as [string]
    expect(await fx.client().get(lease)).toBe('unstorable') // the holder's lease, now the mark
    fx.backend.clearQueries()
    const readers = Array.from({ length: 3 }, () => viewer(isolate(small), org))
    const started = Date.now()
    await Promise.all(readers.map((repos) => repos.documents.findById(doc.id)))
    expect(Date.now() - started).toBeLessThan(1_000) // at once: none waited for a store that never comes
    expect(documentReads(fx.backend)).toBe(3)
    expect(await fx.client().get(lease)).toBe('unstorable') // no reader took the lease
  })
})
