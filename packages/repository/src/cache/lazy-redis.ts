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
import { LoadOnce } from '../load-once.ts'
import type { RedisLike } from './redis-like.ts'

/** What the package and a script-running caller (the rate limiter) ask of Redis: scripts by digest too. */
export interface ScriptingRedis extends RedisLike {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>
}

export function lazyRedis(load: () => Promise<ScriptingRedis>): ScriptingRedis {
  const client = new LoadOnce(load)
  /** The command on the loaded client: at once once it is there, after the load before. */
  const send = <R>(command: (redis: ScriptingRedis) => Promise<R>): Promise<R> => {
    const ready = client.loaded
    return ready ? command(ready) : client.get().then(command)
  }
  return {
    mget: (...keys) => send((redis) => redis.mget(...keys)),
    set: (key, value, options) => send((redis) => redis.set(key, value, options)),
    eval: (script, keys, args) => send((redis) => redis.eval(script, keys, args)),
    evalsha: (sha1, keys, args) => send((redis) => redis.evalsha(sha1, keys, args)),
  }
}
