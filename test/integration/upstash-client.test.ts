/**
 * The real `@upstash/redis` client — its Node and its Cloudflare entry, with
 * auto-pipelining on and off — against the local bridge and a real Redis.
 * Every combination must behave as it does against Upstash.
 */
import { startUpstashBridge, type UpstashBridge } from '@serverless-dal/local-services'
import { errors, Redis as NodeRedis } from '@upstash/redis'
import { Redis as CloudflareRedis } from '@upstash/redis/cloudflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyPrefix, testRedisUrl } from '../support/redis.ts'

let bridge: UpstashBridge

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: testRedisUrl(), token: 'test-token' })
})
afterAll(() => bridge?.close())

const variants = [
  { entry: 'node', Redis: NodeRedis, enableAutoPipelining: false },
  { entry: 'node', Redis: NodeRedis, enableAutoPipelining: true },
  { entry: 'cloudflare', Redis: CloudflareRedis, enableAutoPipelining: false },
  { entry: 'cloudflare', Redis: CloudflareRedis, enableAutoPipelining: true },
] as const

describe.each(variants)('@upstash/redis ($entry entry, auto-pipelining $enableAutoPipelining)', (variant) => {
  let redis: NodeRedis
  let k: (name: string) => string

  beforeAll(() => {
    redis = new variant.Redis({
      url: bridge.url,
      token: bridge.token,
      enableAutoPipelining: variant.enableAutoPipelining,
      enableTelemetry: false,
    }) as NodeRedis
    const prefix = keyPrefix(`${variant.entry}-${variant.enableAutoPipelining}`)
    k = (name) => `${prefix}${name}`
  })

  it('sends single commands where the mode says: / without auto-pipelining, /pipeline with it', async () => {
    const before = bridge.requestCounts()
    await Promise.all([redis.set(k('route'), 'v'), redis.get(k('route'))])
    const after = bridge.requestCounts()
    const used = variant.enableAutoPipelining ? '/pipeline' : '/'
    const unused = variant.enableAutoPipelining ? '/' : '/pipeline'
    expect((after[used] ?? 0) - (before[used] ?? 0)).toBeGreaterThan(0)
    expect(after[unused]).toBe(before[unused])
  })

  it('sets strings with EX, PX, NX and XX', async () => {
    expect(await redis.set(k('ex'), 'a', { ex: 100 })).toBe('OK')
    expect(await redis.ttl(k('ex'))).toBeGreaterThan(90)
    expect(await redis.set(k('px'), 'b', { px: 5000 })).toBe('OK')
    const pttl = await redis.pttl(k('px'))
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(5000)
    expect(await redis.set(k('ex'), 'other', { nx: true })).toBeNull()
    expect(await redis.set(k('missing'), 'x', { xx: true })).toBeNull()
    expect(await redis.set(k('ex'), 'replaced', { xx: true })).toBe('OK')
    expect(await redis.get(k('ex'))).toBe('replaced')
  })

  it('runs GET, SET, DEL, INCR, INCRBY, MGET and MSET', async () => {
    expect(await redis.get(k('none'))).toBeNull()
    await redis.set(k('s'), 'value')
    expect(await redis.get(k('s'))).toBe('value')
    expect(await redis.incr(k('n'))).toBe(1)
    expect(await redis.incrby(k('n'), 41)).toBe(42)
    expect(await redis.mset({ [k('m1')]: 'one', [k('m2')]: 'two' })).toBe('OK')
    expect(await redis.mget(k('m1'), k('none'), k('m2'))).toEqual(['one', null, 'two'])
    expect(await redis.del(k('s'), k('m1'), k('none'))).toBe(2)
    expect(await redis.get(k('s'))).toBeNull()
  })

  it('runs EXPIRE, TTL and PTTL', async () => {
    await redis.set(k('t'), 'x')
    expect(await redis.ttl(k('t'))).toBe(-1)
    expect(await redis.expire(k('t'), 60)).toBe(1)
    expect(await redis.ttl(k('t'))).toBeGreaterThan(50)
    expect(await redis.pttl(k('t'))).toBeGreaterThan(50_000)
    expect(await redis.ttl(k('none'))).toBe(-2)
  })

  it('runs hash commands and reads HGETALL as an object', async () => {
    expect(await redis.hset(k('h'), { name: 'Ada', visits: 1 })).toBe(2)
    expect(await redis.hget(k('h'), 'name')).toBe('Ada')
    expect(await redis.hincrby(k('h'), 'visits', 2)).toBe(3)
    expect(await redis.hgetall(k('h'))).toEqual({ name: 'Ada', visits: 3 })
    expect(await redis.hgetall(k('none'))).toBeNull()
  })

  it('runs set commands', async () => {
    expect(await redis.sadd(k('set'), 'a', 'b', 'c')).toBe(3)
    expect(await redis.sismember(k('set'), 'b')).toBe(1)
    expect(await redis.srem(k('set'), 'b')).toBe(1)
    expect((await redis.smembers(k('set'))).sort()).toEqual(['a', 'c'])
    expect(await redis.scard(k('set'))).toBe(2)
  })

  it('runs sorted-set commands, with scores and in reverse', async () => {
    expect(await redis.zadd(k('z'), { score: 1, member: 'one' }, { score: 3, member: 'three' })).toBe(2)
    expect(await redis.zincrby(k('z'), 1.5, 'one')).toBe(2.5)
    expect(await redis.zrange(k('z'), 0, -1, { withScores: true })).toEqual(['one', 2.5, 'three', 3])
    expect(await redis.zrange(k('z'), 0, -1, { rev: true })).toEqual(['three', 'one'])
    expect(await redis.zscore(k('z'), 'three')).toBe(3)
  })

  it('runs list commands', async () => {
    expect(await redis.rpush(k('l'), 'b', 'c')).toBe(2)
    expect(await redis.lpush(k('l'), 'a')).toBe(3)
    expect(await redis.lrange(k('l'), 0, -1)).toEqual(['a', 'b', 'c'])
    expect(await redis.lpop(k('l'))).toBe('a')
    expect(await redis.llen(k('l'))).toBe(2)
  })

  it('scans with MATCH and COUNT through every cursor', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => redis.set(k(`scan:${i}`), i)))
    const seen = new Set<string>()
    let cursor: string | number = '0'
    do {
      const [next, keys]: [string | number, string[]] = await redis.scan(cursor, { match: k('scan:*'), count: 7 })
      for (const key of keys) seen.add(key)
      cursor = next
    } while (String(cursor) !== '0')
    expect(seen.size).toBe(25)
  })

  it('runs EVAL, SCRIPT LOAD, EVALSHA and createScript', async () => {
    expect(await redis.eval('return {KEYS[1], ARGV[1], 7}', [k('e')], ['arg'])).toEqual([k('e'), 'arg', 7])
    const sha = await redis.scriptLoad("return redis.call('incrby', KEYS[1], ARGV[1])")
    expect(sha).toMatch(/^[0-9a-f]{40}$/)
    expect(await redis.evalsha(sha, [k('counter')], [5])).toBe(5)
    const script = redis.createScript<number>("return redis.call('incrby', KEYS[1], ARGV[1])")
    expect(await script.exec([k('counter')], ['2'])).toBe(7)
  })

  it('reports the one failing command of a pipeline and runs the others', async () => {
    await redis.set(k('p'), 'text')
    const results = await redis
      .pipeline()
      .set(k('p2'), 'v')
      .hget(k('p'), 'field') // WRONGTYPE: p holds a string
      .get(k('p2'))
      .exec({ keepErrors: true })
    expect(results[0]).toEqual({ result: 'OK', error: undefined })
    expect(results[1]?.error).toMatch(/^WRONGTYPE/)
    expect(results[2]).toEqual({ result: 'v', error: undefined })
    await expect(redis.pipeline().get(k('p')).hget(k('p'), 'f').exec()).rejects.toThrow(errors.UpstashError)
  })

  it('runs a transaction with multi-exec', async () => {
    const results = await redis.multi().set(k('tx'), 1).incr(k('tx')).get(k('tx')).exec()
    expect(results).toEqual(['OK', 2, 2])
  })

  it('round-trips UTF-8, binary-looking and base64-looking values exactly', async () => {
    // (a value that parses as JSON, like 'null' or '42', comes back parsed: that is the client's doing)
    const values = ['héllo wörld ✓ 日本語 🎉', '\u0000\u0001\u0007\r\n\t\u00ff\u007f', 'T0s=', 'OK', 'PONG', ' ']
    for (const [i, value] of values.entries()) {
      await redis.set(k(`v${i}`), value)
      expect(await redis.get(k(`v${i}`))).toBe(value)
    }
  })

  it('stores JSON objects and reads them back as objects', async () => {
    const doc = { id: 7, title: 'Quarterly report', tags: ['a', 'b'], nested: { ok: true, none: null } }
    await redis.set(k('json'), doc)
    expect(await redis.get(k('json'))).toEqual(doc)
    await redis.hset(k('jsonhash'), { doc })
    expect(await redis.hget(k('jsonhash'), 'doc')).toEqual(doc)
  })

  it('surfaces a Redis error as an UpstashError with Redis text', async () => {
    await redis.set(k('str'), 'x')
    await expect(redis.incr(k('str'))).rejects.toThrow(/ERR value is not an integer/)
  })
})

describe('@upstash/redis without base64 response encoding', () => {
  it('reads plain JSON answers the same way', async () => {
    const redis = new NodeRedis({
      url: bridge.url,
      token: bridge.token,
      responseEncoding: false,
      enableTelemetry: false,
    })
    const key = `${keyPrefix('plain')}v`
    await redis.set(key, 'héllo ✓')
    expect(await redis.get(key)).toBe('héllo ✓')
    await redis.hset(`${key}:h`, { a: '1' })
    expect(await redis.hgetall(`${key}:h`)).toEqual({ a: 1 })
  })
})
