/**
 * Guarantees 5 and 7: Redis failing, slow or gone never fails a read the
 * database can answer; stale entries are served while revalidating and,
 * within the grace window, when the database is down.
 */

import type { DocumentsFactory } from '@serverless-dal/documents'
import { startNeonStandIn } from '@serverless-dal/local-services'
import { TransientError } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CacheFixture, cacheFixture, type Fault, faultyRedis, PATIENT } from '../../support/cache-fixtures.ts'
import { privateRedis } from '../../support/redis.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
beforeAll(async () => {
  fx = await cacheFixture()
})
afterAll(() => fx?.close())

const admin = (factory: DocumentsFactory, org: string) => factory.forTenant({ orgId: org, role: 'admin' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('guarantee 5: Redis unreachable, slow or erroring never fails a read', () => {
  it.each<Fault>(['error', 'slow'])(
    'answers from the database while Redis is %s, within timeout and breaker',
    async (mode) => {
      const fault = { current: 'none' as Fault, calls: 0 }
      const factory = fx.backend.factory({
        cache: {
          redis: faultyRedis(fx.client(), fault),
          memory: false,
          redisTimeoutMs: 50,
          breaker: { failureThreshold: 3, cooldownMs: 300 },
        },
      })
      const org = orgId(`fail-open-${mode}`)
      const repos = admin(factory, org)
      const doc = await repos.documents.create({ title: 'before' })
      await repos.documents.findById(doc.id)
      await factory.cache?.idle()

      fault.current = mode
      fault.calls = 0
      for (let i = 0; i < 10; i++) {
        const started = Date.now()
        expect((await repos.documents.findById(doc.id)).title).toBe('before')
        expect(Date.now() - started).toBeLessThan(1_000) // never the 2 s a slow call would take
      }
      expect(fault.calls).toBeLessThanOrEqual(3) // then the breaker stops asking
      expect(factory.cache?.stats().breakerOpenings).toBe(1)

      await repos.documents.update(doc.id, { title: 'during' }) // writes still commit
      expect((await repos.documents.findById(doc.id)).title).toBe('during')
      expect(factory.cache?.stats().invalidations.pending).toBeGreaterThan(0) // its tags, kept for retry

      fault.current = 'none'
      await sleep(1_100) // breaker cooldown and the retry interval pass
      expect((await repos.documents.findById(doc.id)).title).toBe('during') // the retry starts beside this read
      await factory.cache?.idle()
      expect(factory.cache?.stats().invalidations.pending).toBe(0)
      const elsewhere = admin(fx.backend.factory({ cache: { redis: fx.client(), memory: false, ...PATIENT } }), org)
      expect((await elsewhere.documents.findById(doc.id)).title).toBe('during') // the retried bump reached Redis
    },
  )

  it('answers while Redis is stopped and catches up when it is back', async () => {
    const redis = await privateRedis()
    const { startUpstashBridge } = await import('@serverless-dal/local-services')
    const bridge = await startUpstashBridge({ redisUrl: redis.url, token: 't' })
    const { Redis } = await import('@upstash/redis')
    const client = () => new Redis({ url: bridge.url, token: 't', enableTelemetry: false, retry: false })
    try {
      const factory = fx.backend.factory({
        cache: { redis: client(), memory: false, breaker: { cooldownMs: 200 }, ...PATIENT },
      })
      const org = orgId('stopped')
      const repos = admin(factory, org)
      const doc = await repos.documents.create({ title: 'v1' })
      await repos.documents.findById(doc.id)
      await factory.cache?.idle()

      await redis.stop()
      expect((await repos.documents.findById(doc.id)).title).toBe('v1')
      await repos.documents.update(doc.id, { title: 'v2' })
      expect((await repos.documents.findById(doc.id)).title).toBe('v2')

      await redis.start() // an empty Redis: the old entry is gone anyway, the pending bump is replayed
      await sleep(1_100)
      expect((await repos.documents.findById(doc.id)).title).toBe('v2') // the retry starts beside this read
      await factory.cache?.idle()
      expect(factory.cache?.stats().invalidations.pending).toBe(0)
      const other = admin(fx.backend.factory({ cache: { redis: client(), memory: false, ...PATIENT } }), org)
      expect((await other.documents.findById(doc.id)).title).toBe('v2')
    } finally {
      await bridge.close()
      await redis.stop()
    }
  })
})

describe('guarantee 7: stale while revalidating, and within grace when the database is down', () => {
  it('serves a stale entry marked stale when the database fails, until the grace ends', async () => {
    const org = orgId('grace')
    const cache = { ttlMs: { findById: 1_000 }, graceMs: 1_500, staleWhileRevalidate: false, memory: false as const }
    const working = fx.backend.factory({ cache: { redis: fx.client(), ...PATIENT, ...cache } })
    const doc = await admin(working, org).documents.create({ title: 'cached' })
    await admin(working, org).documents.findById(doc.id)
    await working.cache?.idle()

    const dead = await startNeonStandIn({ upstreamUrl: 'postgres://postgres@127.0.0.1:1/none' })
    try {
      const cut = fx.backend.factory({
        database: {
          driver: 'neon-pool',
          connectionString: 'postgres://postgres@127.0.0.1:1/none',
          proxy: { webSocketUrl: dead.webSocketUrl },
          connectionTimeoutMs: 1_000,
        },
        cache: { redis: fx.client(), ...PATIENT, ...cache },
      })
      const repos = admin(cut, org)
      expect((await repos.documents.findById(doc.id)).title).toBe('cached') // fresh: no database needed
      await sleep(1_100)
      expect((await repos.documents.findById(doc.id)).title).toBe('cached') // past TTL, database down: stale
      expect(repos.cacheOutcomes).toEqual(['redis-hit', 'stale'])
      await sleep(1_500)
      await expect(repos.documents.findById(doc.id)).rejects.toBeInstanceOf(TransientError) // past grace
      await cut.dispose()
    } finally {
      await dead.close()
    }
  })
})
