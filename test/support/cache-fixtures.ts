/**
 * Real Postgres (through the Neon driver) and real Redis (through the
 * Upstash bridge and `@upstash/redis`) for the cache suites, plus a Redis
 * wrapper that injects faults on demand.
 */
import { startUpstashBridge, type UpstashBridge } from '@serverless-dal/local-services'
import type { RedisLike } from '@serverless-dal/repository'
import { Redis } from '@upstash/redis'
import { testRedisUrl } from './redis.ts'
import { neonPoolBackend, type RepositoryBackend } from './repository-backends.ts'

export interface CacheFixture {
  backend: RepositoryBackend
  bridge: UpstashBridge
  /** A new `@upstash/redis` client (one per simulated isolate). */
  client(): Redis
  close(): Promise<void>
}

export async function cacheFixture(
  redisUrl = testRedisUrl(),
  makeBackend: () => RepositoryBackend = neonPoolBackend,
): Promise<CacheFixture> {
  const backend = makeBackend()
  await backend.setup()
  const bridge = await startUpstashBridge({ redisUrl, token: 'cache-tests' })
  return {
    backend,
    bridge,
    client: () => new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false, retry: false }),
    async close() {
      await bridge.close()
      await backend.teardown()
    },
  }
}

/**
 * A Redis timeout for tests that are not about timeouts: the default 150 ms
 * suits Upstash in production, but a loaded two-core test machine can exceed
 * it and turn an expected hit into a (correct, but unexpected) miss.
 */
export const PATIENT = { redisTimeoutMs: 2_000 } as const

export type Fault = 'none' | 'slow' | 'error'

/** Wraps a client so each call can be made slow (never answers in time) or failing. */
export function faultyRedis(redis: RedisLike, fault: { current: Fault; calls: number }): RedisLike {
  const inject = async <T>(call: () => Promise<T>): Promise<T> => {
    fault.calls += 1
    if (fault.current === 'error') throw new Error('ERR injected failure')
    if (fault.current === 'slow') await new Promise((resolve) => setTimeout(resolve, 2_000))
    return call()
  }
  return {
    mget: (...keys) => inject(() => redis.mget(...keys)),
    set: (key, value, options) => inject(() => redis.set(key, value, options)),
    eval: (script, keys, args) => inject(() => redis.eval(script, keys, args)),
  }
}

/** SELECTs that read documents (not session setup, not transaction control). */
export function documentReads(backend: RepositoryBackend): number {
  return backend.dataQueries().filter((q) => /^select/i.test(q.trim()) && q.includes('"documents"')).length
}

/**
 * Wraps a client and counts its calls: with auto-pipelining off, one call is
 * one HTTP round trip. A script is named for what it does: `lookup` (the
 * lookup that may take a lease), `store` (an entry stored, and its lease
 * released), `eval` for any other (invalidations, unlocks). Stores, plain
 * `set`s or scripts, can be held back (counted as they start) to see who
 * waits for them.
 */
export function countingRedis(redis: RedisLike): RedisLike & { calls: string[]; holdStores(): () => void } {
  const calls: string[] = []
  let held: Promise<void> | undefined
  return {
    calls,
    mget: (...keys) => {
      calls.push('mget')
      return redis.mget(...keys)
    },
    set: async (key, value, options) => {
      calls.push('set')
      await held
      return redis.set(key, value, options)
    },
    eval: async (script, keys, args) => {
      const kind = scriptKind(script)
      calls.push(kind)
      if (kind === 'store') await held
      return redis.eval(script, keys, args)
    },
    /** Stores wait until the returned function is called. */
    holdStores() {
      let release = () => {}
      held = new Promise((resolve) => {
        release = resolve
      })
      return release
    },
  }
}

/** What a script of the cache does, by its first command (after its shebang): see countingRedis. */
export function scriptKind(sent: string): 'lookup' | 'store' | 'eval' {
  const script = sent.replace(/^#!lua[^\n]*\n/, '')
  if (/^local counters = tonumber\(ARGV\[1\]\)\nlocal values = redis\.call\('mget'/.test(script)) return 'lookup'
  if (script.startsWith("redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])")) return 'store'
  return 'eval'
}
