/**
 * @upstash/ratelimit 2.2's scripts carry `allow-key-locking`, which only
 * Upstash knows: against a Redis that refuses it, the script is sent again
 * without it, and from then on without it at once.
 */
import { describe, expect, it } from 'vitest'
import { type ScriptClient, scriptCalls, withoutUpstashFlags } from './script-flags.ts'

const FLAGGED = '#!lua flags=allow-key-locking\n  local key = KEYS[1]\n  return 1'

/** A client that behaves like Redis 7: it refuses the unknown flag, and knows no script by its hash. */
function ossRedis(): ScriptClient & { sent: string[] } {
  const sent: string[] = []
  return {
    sent,
    async eval(script) {
      sent.push(`eval ${script.split('\n')[0]}`)
      if (script.includes('allow-key-locking'))
        throw new Error('ERR Unexpected flag in script shebang: allow-key-locking')
      return 1
    },
    async evalsha(sha) {
      sent.push(`evalsha ${sha}`)
      throw new Error('NOSCRIPT No matching script. Please use EVAL.')
    },
  }
}

describe('script flags only Upstash knows', () => {
  it('are taken out of the shebang, and the shebang kept', () => {
    expect(withoutUpstashFlags(FLAGGED)).toBe('#!lua\n  local key = KEYS[1]\n  return 1')
    expect(withoutUpstashFlags('#!lua flags=no-writes,allow-key-locking\nreturn 1')).toBe(
      '#!lua flags=no-writes\nreturn 1',
    )
    expect(withoutUpstashFlags('return 1')).toBe('return 1')
  })

  it('are sent as they are until Redis refuses them, then left out without asking again', async () => {
    const redis = ossRedis()
    const calls = scriptCalls(redis)
    await expect(calls.evalsha('abc', ['k'], [1])).rejects.toThrow('NOSCRIPT')
    expect(await calls.eval(FLAGGED, ['k'], [1, 2])).toBe(1)
    expect(redis.sent).toEqual(['evalsha abc', 'eval #!lua flags=allow-key-locking', 'eval #!lua'])

    redis.sent.length = 0
    await expect(calls.evalsha('abc', ['k'], [1])).rejects.toThrow('NOSCRIPT') // no round trip
    expect(await calls.eval(FLAGGED, ['k'], [1])).toBe(1)
    expect(redis.sent).toEqual(['eval #!lua'])
  })

  it('pass any other error on', async () => {
    const calls = scriptCalls({ eval: () => Promise.reject(new Error('ERR injected')) })
    await expect(calls.eval(FLAGGED, [], [])).rejects.toThrow('ERR injected')
  })
})
