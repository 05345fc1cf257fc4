import { describe, expect, it } from 'vitest'
import { lazyRedis, type ScriptingRedis } from './lazy-redis.ts'

/** A client that answers each command with its name and arguments, built by a load that counts its calls. */
function counted(failures = 0) {
  let loads = 0
  const client: ScriptingRedis = {
    mget: async (...keys) => keys.map((key) => `value of ${key}`),
    set: async (key, value, options) => ['set', key, value, options],
    eval: async (script, keys, args) => ['eval', script, keys, args],
    evalsha: async (sha1, keys, args) => ['evalsha', sha1, keys, args],
  }
  const load = async () => {
    loads++
    if (loads <= failures) throw new Error(`load ${loads} failed`)
    return client
  }
  return { loads: () => loads, load }
}

describe('lazyRedis', () => {
  it('loads the client on the first command, once for every caller, and passes each command through', async () => {
    const { loads, load } = counted()
    const redis = lazyRedis(load)
    expect(loads()).toBe(0)
    const answers = await Promise.all([
      redis.mget('a', 'b'),
      redis.set('k', 'v', { px: 5, nx: true }),
      redis.eval('return 1', ['k'], ['1']),
      redis.evalsha('abc', ['k'], []),
    ])
    expect(loads()).toBe(1)
    expect(answers).toEqual([
      ['value of a', 'value of b'],
      ['set', 'k', 'v', { px: 5, nx: true }],
      ['eval', 'return 1', ['k'], ['1']],
      ['evalsha', 'abc', ['k'], []],
    ])
    expect(await redis.mget('c')).toEqual(['value of c'])
    expect(loads()).toBe(1)
  })

  it('fails the command whose load failed, and loads again for the next', async () => {
    const { loads, load } = counted(1)
    const redis = lazyRedis(load)
    await expect(redis.mget('a')).rejects.toThrow('load 1 failed')
    expect(await redis.mget('a')).toEqual(['value of a'])
    expect(loads()).toBe(2)
  })
})
