/**
 * Ready for Redis Cluster and sharded Upstash: every multi-key command and
 * script the cache sends touches one hash slot. A wrapper around the real
 * client (through the Upstash bridge) checks each call with the cluster's own
 * slot function while the documents service reads, misses under a lock,
 * writes, commits a transaction of several writes, and runs the warm job.
 */
import { warmDocuments } from '@serverless-dal/documents'
import type { RedisLike } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CacheFixture, cacheFixture, PATIENT } from '../../support/cache-fixtures.ts'
import { hashSlot } from '../../support/hash-slot.ts'
import { orgId } from '../../support/repository-backends.ts'

let fx: CacheFixture
beforeAll(async () => {
  fx = await cacheFixture()
})
afterAll(() => fx?.close())

/** The client, with every call's keys recorded and those spanning two slots kept aside. */
function slotChecking(redis: RedisLike) {
  const calls: Array<{ command: string; keys: string[] }> = []
  const check = (command: string, keys: string[]) => calls.push({ command, keys })
  const client: RedisLike = {
    mget: (...keys) => {
      check('mget', keys)
      return redis.mget(...keys)
    },
    set: (key, value, options) => {
      check('set', [key])
      return redis.set(key, value, options)
    },
    eval: (script, keys, args) => {
      check('eval', keys)
      return redis.eval(script, keys, args)
    },
  }
  const crossing = () => calls.filter(({ keys }) => new Set(keys.map(hashSlot)).size > 1)
  return { client, calls, crossing }
}

describe('the hash slot function', () => {
  it("agrees with Redis Cluster's documented slots", () => {
    expect(hashSlot('somekey')).toBe(11058)
    expect(hashSlot('foo{hash_tag}')).toBe(2515)
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('{user1000}.followers'))
    expect(hashSlot('foo{}{bar}')).not.toBe(hashSlot('{bar}')) // an empty first tag: the whole key is hashed
  })
})

describe('the cache on a sharded Redis', () => {
  it('sends no command or script whose keys span two slots', async () => {
    const redis = slotChecking(fx.client())
    const cache = { redis: redis.client, memory: false, lock: {}, hotKeys: { sampleEvery: 1 }, ...PATIENT } as const
    const factory = fx.backend.factory({ cache })
    const other = fx.backend.factory({ cache })
    const org = orgId('slots')
    const repos = factory.forTenant({ orgId: org, role: 'admin' })
    const topic = await repos.topics.create({ name: 'sharded' })
    const [a, b] = await repos.documents.createMany([{ title: 'a', status: 'published' }, { title: 'b' }])
    await repos.documents.link(a!.id, b!.id)
    const reads = (scope: typeof repos) =>
      Promise.all([
        scope.documents.findById(a!.id, { include: ['topics', 'summaries'] }),
        scope.documents.findMany({ status: 'published' }),
        scope.documents.findRelatedDocuments(a!.id),
        scope.documents.findByTopic(topic.id),
      ])
    // two isolates miss at once: the lock is taken by one, waited on by the other
    await Promise.all([reads(repos), reads(other.forTenant({ orgId: org, role: 'viewer' }))])
    await factory.cache?.idle()
    await reads(repos)
    await repos.transaction(async (tx) => {
      await tx.documents.update(a!.id, { title: 'a2' }, { topicIds: [topic.id] })
      await tx.summaries.create({ documentId: b!.id, text: 'sharded summary' })
      await tx.topics.update(topic.id, { name: 'resharded' })
    })
    await repos.documents.delete(b!.id)
    await warmDocuments(factory, { budgetMs: 5_000 })

    const commands = new Set(redis.calls.map(({ command, keys }) => `${command}/${keys.length > 1 ? 'many' : 'one'}`))
    expect([...commands].sort()).toEqual(['eval/many', 'eval/one', 'set/one']) // lookups and stores are scripts
    expect(redis.crossing()).toEqual([])
  })
})
