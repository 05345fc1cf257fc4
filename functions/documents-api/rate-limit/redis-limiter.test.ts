/**
 * The Redis limiter against a Redis played in memory: which script call it
 * makes (EVAL once, then EVALSHA, EVAL again on NOSCRIPT; one call per
 * check), the window's answers and the memory of refused organizations on a
 * fake clock. When Redis fails or hangs it lets requests through
 * (`failed-open`) rather than failing them; it warns once, and after three
 * failures in a row stops asking Redis for a while, so an outage does not
 * cost a timeout per request. The same against real Redis (through the
 * Upstash bridge): test/integration/api/rate-limits-script.test.ts and
 * rate-limits.test.ts.
 */
import { createHash } from 'node:crypto'
import { KEY_LOCKING } from '@serverless-dal/repository'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FIXED_WINDOW_SCRIPT, RedisRateLimiter, type ScriptRedis } from './redis-limiter.ts'

const policy = { requests: 5, windowS: 60 }

function recordingLogger() {
  const warnings: Array<Record<string, unknown>> = []
  return {
    warnings,
    logger: { warn: (message: string, context: object) => warnings.push({ message, ...context }), error: () => {} },
  }
}

/** A Redis that runs the one script it knows (by its text or, once loaded, its SHA-1) on counters in memory. */
function scriptingRedis() {
  const counters = new Map<string, { count: number; pexpire?: string }>()
  const loaded = new Set<string>()
  const sent: string[] = []
  const run = (keys: string[], args: string[]) => {
    const key = keys[0] as string
    const counter = counters.get(key) ?? { count: 0 }
    counter.count += 1
    if (counter.count === 1) counter.pexpire = args[0]
    counters.set(key, counter)
    return Promise.resolve(counter.count)
  }
  const redis: Required<ScriptRedis> = {
    eval(script, keys, args) {
      sent.push('eval')
      expect(script).toBe(KEY_LOCKING + FIXED_WINDOW_SCRIPT) // on Upstash: its key locked, not the database
      loaded.add(createHash('sha1').update(script).digest('hex'))
      return run(keys, args)
    },
    evalsha(sha1, keys, args) {
      sent.push('evalsha')
      if (!loaded.has(sha1)) return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'))
      return run(keys, args)
    },
  }
  return { redis, sent, counters, flush: () => loaded.clear() }
}

function clocked(options: { maxBlocked?: number } = {}) {
  const clock = { now: 1_000_000 * 60_000 } // the start of a window
  const fake = scriptingRedis()
  const limiter = new RedisRateLimiter(policy, fake.redis, {
    namespace: 'ns',
    ...options,
    now: () => clock.now,
    logger: recordingLogger().logger,
  })
  return { clock, ...fake, limiter }
}

afterEach(() => vi.useRealTimers())

describe('the Redis rate limiter', () => {
  it('makes one script call per check: EVAL the first time, EVALSHA after', async () => {
    const { limiter, sent, counters, clock } = clocked()
    await limiter.limit('acme')
    expect(sent).toEqual(['eval'])
    await limiter.limit('acme')
    await limiter.limit('acme')
    expect(sent).toEqual(['eval', 'evalsha', 'evalsha'])
    const window = Math.floor(clock.now / 60_000)
    // the organization is the hash tag; the key expires one window after its first count
    expect(counters.get(`ns:ratelimit:{acme}:${window}`)).toEqual({ count: 3, pexpire: '60000' })
  })

  it('sends the script again as EVAL when Redis has lost it (NOSCRIPT), then EVALSHA again', async () => {
    const { limiter, sent, flush } = clocked()
    await limiter.limit('acme')
    flush()
    sent.length = 0
    expect(await limiter.limit('acme')).toMatchObject({ outcome: 'allowed', remaining: 3 })
    expect(sent).toEqual(['evalsha', 'eval'])
    await limiter.limit('acme')
    expect(sent).toEqual(['evalsha', 'eval', 'evalsha'])
  })

  it('sends EVAL every time to a client without evalsha', async () => {
    const { redis } = scriptingRedis()
    const sent: string[] = []
    const evalOnly: ScriptRedis = {
      eval: (script, keys, args) => {
        sent.push('eval')
        return redis.eval(script, keys, args)
      },
    }
    const limiter = new RedisRateLimiter(policy, evalOnly)
    for (let i = 0; i < 3; i++) expect((await limiter.limit('acme')).outcome).toBe('allowed')
    expect(sent).toEqual(['eval', 'eval', 'eval'])
  })

  it('refuses past the limit until the window ends, remembering the refusal without asking Redis', async () => {
    const { limiter, sent, clock } = clocked()
    const start = clock.now
    clock.now += 45_000
    const answers = []
    for (let i = 0; i < 6; i++) answers.push(await limiter.limit('flooder'))
    expect(answers.map((a) => a.outcome)).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'limited'])
    expect(answers.map((a) => ('remaining' in a ? a.remaining : undefined))).toEqual([4, 3, 2, 1, 0, 0])
    expect(answers.every((a) => 'resetAt' in a && a.resetAt === start + 60_000)).toBe(true)

    sent.length = 0
    clock.now = start + 59_999
    expect(await limiter.limit('flooder')).toEqual({
      outcome: 'limited',
      limit: 5,
      remaining: 0,
      resetAt: start + 60_000,
    })
    expect(sent).toEqual([]) // remembered: no round trip
    expect((await limiter.limit('bystander')).outcome).toBe('allowed')
    expect(sent).toEqual(['evalsha'])

    clock.now = start + 60_000 // the next window: Redis is asked again, and counts afresh
    expect(await limiter.limit('flooder')).toEqual({
      outcome: 'allowed',
      limit: 5,
      remaining: 4,
      resetAt: start + 120_000,
    })
  })

  it('remembers at most maxBlocked refused organizations', async () => {
    const { limiter, sent } = clocked({ maxBlocked: 2 })
    const refuse = async (org: string) => {
      for (let i = 0; i < 6; i++) await limiter.limit(org)
    }
    await refuse('a')
    await refuse('b')
    await refuse('c') // 'a' is forgotten
    sent.length = 0
    expect((await limiter.limit('c')).outcome).toBe('limited')
    expect(sent).toEqual([])
    expect((await limiter.limit('a')).outcome).toBe('limited') // Redis still says so, at one round trip
    expect(sent).toEqual(['evalsha'])
  })
})

describe('the Redis rate limiter when Redis fails', () => {
  it('lets requests through, warns once, and stops asking Redis for five seconds after three failures', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    let calls = 0
    const failing: ScriptRedis = {
      eval: () => {
        calls += 1
        return Promise.reject(new Error('fetch failed: connect ECONNREFUSED'))
      },
    }
    const { warnings, logger } = recordingLogger()
    const limiter = new RedisRateLimiter(policy, failing, { logger })
    const answers = []
    for (let i = 0; i < 10; i++) answers.push(await limiter.limit('acme'))
    expect(answers.every((answer) => answer.outcome === 'failed-open')).toBe(true)
    expect(calls).toBe(3)
    expect(warnings).toEqual([
      {
        message: 'rate limit not checked: requests go through',
        reason: expect.stringContaining('ECONNREFUSED'),
        failedOpen: 1,
      },
    ])

    vi.setSystemTime(Date.now() + 5_000) // the pause is over: Redis is asked again
    expect((await limiter.limit('acme')).outcome).toBe('failed-open')
    expect(calls).toBe(4)
    vi.setSystemTime(Date.now() + 60_000) // a minute later, one more warning, with the count since the last
    await limiter.limit('acme')
    expect(warnings).toHaveLength(2)
    expect(warnings[1]).toMatchObject({ failedOpen: 11 })
  })

  it('lets a request through when Redis does not answer within the timeout', async () => {
    const hanging: ScriptRedis = { eval: () => new Promise(() => {}) }
    const { logger } = recordingLogger()
    const limiter = new RedisRateLimiter(policy, hanging, { timeoutMs: 50, logger })
    const started = performance.now()
    expect(await limiter.limit('acme')).toEqual({ outcome: 'failed-open', reason: 'Redis did not answer in time' })
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  it('fails open on an error other than NOSCRIPT from EVALSHA, without sending EVAL', async () => {
    const { redis, sent } = scriptingRedis()
    const limiter = new RedisRateLimiter(
      policy,
      {
        eval: redis.eval,
        evalsha: (...args) => redis.evalsha(...args).then(() => Promise.reject(new Error('ERR injected'))),
      },
      { logger: recordingLogger().logger },
    )
    await limiter.limit('acme')
    expect(await limiter.limit('acme')).toEqual({ outcome: 'failed-open', reason: 'ERR injected' })
    expect(sent).toEqual(['eval', 'evalsha'])
  })

  it('keeps refusing an organization Redis refused while it pauses after failures', async () => {
    const { clock, redis, limiter } = clocked()
    for (let i = 0; i < 6; i++) await limiter.limit('flooder')
    redis.evalsha = () => Promise.reject(new Error('ERR down'))
    for (let i = 0; i < 3; i++) expect((await limiter.limit('other')).outcome).toBe('failed-open')
    clock.now += 1_000 // paused now, and still in the window
    expect((await limiter.limit('flooder')).outcome).toBe('limited')
    expect(await limiter.limit('other')).toEqual({ outcome: 'failed-open', reason: 'paused after Redis failures' })
  })
})
