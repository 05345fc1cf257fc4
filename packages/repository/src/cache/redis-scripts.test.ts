import { describe, expect, it } from 'vitest'
import type { RedisLike } from './redis-like.ts'
import { KEY_LOCKING, RedisScripts } from './redis-scripts.ts'

const SCRIPT = "return redis.call('get', KEYS[1])"

async function sha1Hex(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text))
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/**
 * A Redis that runs one script, knows it by digest once sent whole, and can forget it
 * (`SCRIPT FLUSH`); `upstash: false` refuses Upstash's shebang flag, as plain Redis does.
 */
function scriptedRedis(withEvalsha = true, upstash = true) {
  const sent: string[] = []
  const scripts: string[] = []
  let cached = new Set<string>()
  const redis: RedisLike & { flush(): void } = {
    mget: async () => [],
    set: async () => 'OK',
    eval: async (script) => {
      sent.push('eval')
      scripts.push(script)
      if (!upstash && script.startsWith('#!lua flags=allow-key-locking')) {
        throw new Error('ERR Unexpected flag in script shebang: allow-key-locking')
      }
      cached.add(await sha1Hex(script))
      return 'answer'
    },
    flush: () => {
      cached = new Set()
    },
  }
  if (withEvalsha) {
    redis.evalsha = async (digest) => {
      sent.push('evalsha')
      if (!cached.has(digest)) throw new Error('NOSCRIPT No matching script. Please use EVAL.')
      return 'answer'
    }
  }
  return { redis, sent, scripts }
}

describe('RedisScripts', () => {
  it('sends a script whole once, then by its SHA-1', async () => {
    const { redis, sent } = scriptedRedis()
    const scripts = new RedisScripts(redis)
    for (let i = 0; i < 3; i++) expect(await scripts.run(SCRIPT, ['k'], [])).toBe('answer')
    expect(sent).toEqual(['eval', 'evalsha', 'evalsha'])
  })

  it('sends it whole again, once, when Redis has lost it', async () => {
    const { redis, sent } = scriptedRedis()
    const scripts = new RedisScripts(redis)
    await scripts.run(SCRIPT, ['k'], [])
    redis.flush()
    expect(await scripts.run(SCRIPT, ['k'], [])).toBe('answer')
    expect(await scripts.run(SCRIPT, ['k'], [])).toBe('answer')
    expect(sent).toEqual(['eval', 'evalsha', 'eval', 'evalsha'])
  })

  it('sends every script whole to a client without evalsha', async () => {
    const { redis, sent } = scriptedRedis(false)
    const scripts = new RedisScripts(redis)
    await scripts.run(SCRIPT, ['k'], [])
    await scripts.run(SCRIPT, ['k'], [])
    expect(sent).toEqual(['eval', 'eval'])
  })

  it('passes any other error on', async () => {
    const { redis } = scriptedRedis()
    const scripts = new RedisScripts(redis)
    await scripts.run(SCRIPT, ['k'], [])
    redis.evalsha = async () => {
      throw new Error('ERR something else')
    }
    await expect(scripts.run(SCRIPT, ['k'], [])).rejects.toThrow('ERR something else')
  })

  it('sends scripts key-locked (on Upstash a script otherwise locks the whole database)', async () => {
    const { redis, scripts } = scriptedRedis()
    await new RedisScripts(redis).run(SCRIPT, ['k'], [])
    expect(scripts).toEqual([KEY_LOCKING + SCRIPT])
  })

  it('drops the shebang for good, at one extra request, where Redis refuses its flag', async () => {
    const { redis, sent, scripts } = scriptedRedis(true, false)
    const runner = new RedisScripts(redis)
    expect(await runner.run(SCRIPT, ['k'], [])).toBe('answer')
    expect(await runner.run(SCRIPT, ['k'], [])).toBe('answer')
    expect(sent).toEqual(['eval', 'eval', 'evalsha'])
    expect(scripts).toEqual([KEY_LOCKING + SCRIPT, SCRIPT])
  })
})
