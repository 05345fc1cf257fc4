/**
 * The Redis limiter's own script on real Redis, through the Upstash bridge
 * and `@upstash/redis` as the entries build it: the limit and `resetAt`
 * (hence `Retry-After`), a new window admitting again, the key's expiry set
 * by the script, one HTTP request per check, and the EVAL fallback after
 * `SCRIPT FLUSH`. A Redis of the suite's own, so flushing its scripts
 * touches no other suite. Through the service: rate-limits.test.ts.
 */
import { connect } from 'node:net'
import { startUpstashBridge, type UpstashBridge } from '@serverless-dal/local-services'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisRateLimiter } from '../../../functions/documents-api/rate-limit/redis-limiter.ts'
import { namespace } from '../../support/rate-limits.ts'
import { type PrivateRedis, privateRedis } from '../../support/redis.ts'

let redisServer: PrivateRedis
let bridge: UpstashBridge
beforeAll(async () => {
  redisServer = await privateRedis()
  bridge = await startUpstashBridge({ redisUrl: redisServer.url, token: 'rate-limit-script' })
})
afterAll(async () => {
  await bridge?.close()
  await redisServer?.stop()
})

/** A client as the entries make it (auto-pipelining and retries left on). */
const client = () => new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false })

/** HTTP requests the bridge has answered, every endpoint together. */
const requests = () => Object.values(bridge.requestCounts()).reduce((sum, n) => sum + n, 0)

/** `SCRIPT FLUSH`, straight to Redis: the REST API does not offer it. */
function flushScripts(): Promise<void> {
  const { hostname, port } = new URL(redisServer.url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) })
    socket.once('connect', () => socket.write('*2\r\n$6\r\nSCRIPT\r\n$5\r\nFLUSH\r\n'))
    socket.once('data', (chunk) => {
      socket.end()
      chunk.toString().startsWith('+OK') ? resolve() : reject(new Error(chunk.toString()))
    })
    socket.once('error', reject)
  })
}

const WINDOW_MS = 60_000

function clocked(requestsPerWindow: number, redis = client()) {
  const clock = { now: 1_000_000 * WINDOW_MS + 45_000 } // 15 s before a window ends
  const ns = namespace()
  const limiter = new RedisRateLimiter({ requests: requestsPerWindow, windowS: WINDOW_MS / 1000 }, redis, {
    namespace: ns,
    timeoutMs: 2_000,
    now: () => clock.now,
  })
  return { clock, limiter, ns, windowEnd: 1_000_001 * WINDOW_MS }
}

describe('the rate limit script on Redis', () => {
  it('refuses past the limit with the window end as its reset, and admits again in the next window', async () => {
    const { clock, limiter, windowEnd } = clocked(3)
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(await limiter.limit('flooder'))
    expect(answers).toEqual([
      { outcome: 'allowed', limit: 3, remaining: 2, resetAt: windowEnd },
      { outcome: 'allowed', limit: 3, remaining: 1, resetAt: windowEnd },
      { outcome: 'allowed', limit: 3, remaining: 0, resetAt: windowEnd },
      { outcome: 'limited', limit: 3, remaining: 0, resetAt: windowEnd },
      { outcome: 'limited', limit: 3, remaining: 0, resetAt: windowEnd },
    ])
    // Retry-After, as the middleware computes it: the 15 s left in the window
    const limited = answers[3] as { resetAt: number }
    expect(Math.max(1, Math.ceil((limited.resetAt - clock.now) / 1000))).toBe(15)
    expect((await limiter.limit('bystander')).outcome).toBe('allowed')

    clock.now = windowEnd - 1
    expect((await limiter.limit('flooder')).outcome).toBe('limited')
    clock.now = windowEnd
    expect(await limiter.limit('flooder')).toEqual({
      outcome: 'allowed',
      limit: 3,
      remaining: 2,
      resetAt: windowEnd + WINDOW_MS,
    })
  })

  it('counts in one key per organization and window, expiring one window after its first count', async () => {
    const redis = client()
    const { clock, limiter, ns } = clocked(10, redis)
    await limiter.limit('acme')
    await limiter.limit('acme')
    const key = `${ns}:ratelimit:{acme}:${Math.floor(clock.now / WINDOW_MS)}`
    expect(await redis.get(key)).toBe(2)
    const ttl = await redis.pttl(key)
    expect(ttl).toBeGreaterThan(WINDOW_MS - 5_000)
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS)
  })

  it('costs one HTTP request per check, and none for an organization it refused', async () => {
    const { limiter } = clocked(2)
    const cost = async (org: string) => {
      const before = requests()
      const answer = await limiter.limit(org)
      return { outcome: answer.outcome, requests: requests() - before }
    }
    expect(await cost('acme')).toEqual({ outcome: 'allowed', requests: 1 }) // EVAL: loads the script
    expect(await cost('acme')).toEqual({ outcome: 'allowed', requests: 1 }) // EVALSHA from then on
    expect(await cost('acme')).toEqual({ outcome: 'limited', requests: 1 })
    expect(await cost('acme')).toEqual({ outcome: 'limited', requests: 0 }) // remembered until the window ends
    expect(await cost('other')).toEqual({ outcome: 'allowed', requests: 1 })
  })

  it('sends the script again after SCRIPT FLUSH (NOSCRIPT), and counts on', async () => {
    const { limiter } = clocked(5)
    expect(await limiter.limit('acme')).toMatchObject({ outcome: 'allowed', remaining: 4 })
    expect(await limiter.limit('acme')).toMatchObject({ outcome: 'allowed', remaining: 3 })
    await flushScripts()
    let before = requests()
    expect(await limiter.limit('acme')).toMatchObject({ outcome: 'allowed', remaining: 2 })
    expect(requests() - before).toBe(2) // EVALSHA refused, then EVAL
    before = requests()
    expect(await limiter.limit('acme')).toMatchObject({ outcome: 'allowed', remaining: 1 })
    expect(requests() - before).toBe(1) // loaded again: EVALSHA
  })
})
