/**
 * Round trips per operation, counted: a memory hit makes none, a Redis hit
 * one, a miss one to Redis, one query and one deferred store, and a write's
 * invalidation one request.
 */
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  type CacheFixture,
  cacheFixture,
  countingRedis,
  documentReads,
  PATIENT,
  scriptKind,
} from '../../support/cache-fixtures.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
beforeAll(async () => {
  fx = await cacheFixture()
})
afterAll(() => fx?.close())

it('costs 0 round trips on a memory hit, 1 on a Redis hit, 1 + 1 query + 1 deferred store on a miss, 1 per write', async () => {
  const client = () =>
    new Redis({ url: fx.bridge.url, token: fx.bridge.token, enableTelemetry: false, enableAutoPipelining: false })
  const redis = countingRedis(client())
  const factory = fx.backend.factory({ cache: { redis, ...PATIENT } })
  const org = orgId('round-trips')
  const repos = factory.forTenant({ orgId: org, role: 'admin' })
  const doc = await repos.documents.create({ title: 'counted' })
  expect(redis.calls).toEqual(['eval']) // the create's invalidation: one request

  const measure = async (work: () => Promise<unknown>) => {
    redis.calls.length = 0
    fx.backend.clearQueries()
    await work()
    await factory.cache?.idle()
    return { redis: [...redis.calls], queries: documentReads(fx.backend) }
  }
  expect(await measure(() => repos.documents.findById(doc.id))).toEqual({ redis: ['lookup', 'store'], queries: 1 })
  expect(await measure(() => repos.documents.findById(doc.id))).toEqual({ redis: [], queries: 0 })

  const otherIsolate = countingRedis(client())
  const other = fx.backend
    .factory({ cache: { redis: otherIsolate, ...PATIENT } })
    .forTenant({ orgId: org, role: 'viewer' })
  fx.backend.clearQueries()
  await other.documents.findById(doc.id)
  expect({ redis: otherIsolate.calls, queries: documentReads(fx.backend) }).toEqual({ redis: ['lookup'], queries: 0 })
  expect(other.cacheOutcomes).toEqual(['redis-hit'])

  expect(await measure(() => repos.documents.update(doc.id, { title: 'changed' }))).toEqual({
    redis: ['eval'],
    queries: 0,
  })
})

it('ends a request scope only after its deferred store has landed', async () => {
  const landed: string[] = []
  const client = new Redis({ url: fx.bridge.url, token: fx.bridge.token, enableTelemetry: false })
  const redis = {
    mget: (...keys: string[]) => client.mget(...keys),
    eval: async (script: string, keys: string[], args: string[]) => {
      if (scriptKind(script) !== 'store') return client.eval(script, keys, args)
      await new Promise((resolve) => setTimeout(resolve, 100))
      const answer = await client.eval(script, keys, args)
      landed.push(keys[0] as string)
      return answer
    },
    set: (key: string, value: string, options?: { px?: number; nx?: boolean }) =>
      client.set(key, value, options as { px: number }),
  }
  const repos = fx.backend
    .factory({ cache: { redis, ...PATIENT } })
    .forTenant({ orgId: orgId('dispose'), role: 'admin' })
  const doc = await repos.documents.create({ title: 'stored later' })
  await repos.documents.findById(doc.id) // answers now, stores in the background
  expect(landed).toEqual([])
  await repos.dispose()
  expect(landed).toHaveLength(1)
})
