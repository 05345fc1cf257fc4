/**
 * A Redis client that loads on its first command: `@upstash/redis` (about
 * 75 KiB minified, some 5 ms to evaluate) then costs an isolate's start
 * nothing, and an isolate that answers from memory never loads it (issue 18).
 *
 * ```ts
 * const redis = lazyRedis(() =>
 *   import('@upstash/redis/cloudflare').then(({ Redis }) => new Redis({ url, token, enableTelemetry: false })),
 * )
 * ```
 *
 * Every command after the load goes straight to the client. A load that
 * fails fails that command (the cache then reads through, as on any Redis
 * error) and is tried again by the next.
 */
import type { RedisLike } from './redis-like.ts'

/** What the package and a script-running caller (the rate limiter) ask of Redis: scripts by digest too. */
export interface ScriptingRedis extends RedisLike {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>
}

export function lazyRedis(load: () => Promise<ScriptingRedis>): ScriptingRedis {
  let loading: Promise<ScriptingRedis> | undefined
  let loaded: ScriptingRedis | undefined
  const client = (): Promise<ScriptingRedis> =>
    (loading ??= load().then(
      (ready) => {
        loaded = ready
        return ready
      },
      (error: unknown) => {
        loading = undefined
        throw error
      },
    ))
  return {
    mget: (...keys) => (loaded ? loaded.mget(...keys) : client().then((ready) => ready.mget(...keys))),
    set: (key, value, options) =>
      loaded ? loaded.set(key, value, options) : client().then((ready) => ready.set(key, value, options)),
    eval: (script, keys, args) =>
      loaded ? loaded.eval(script, keys, args) : client().then((ready) => ready.eval(script, keys, args)),
    evalsha: (sha1, keys, args) =>
      loaded ? loaded.evalsha(sha1, keys, args) : client().then((ready) => ready.evalsha(sha1, keys, args)),
  }
}
