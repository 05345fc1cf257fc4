/**
 * Lua scripts by their SHA-1 where the client can (`EVALSHA`): the first run
 * of a script in an isolate sends it whole (`EVAL`, which also caches it in
 * Redis), later runs send its digest only. When Redis has lost it (a restart,
 * `SCRIPT FLUSH`, another node) the `NOSCRIPT` answer is followed by one
 * `EVAL`. A client without `evalsha` sends every script whole.
 */
import type { RedisLike } from './redis-like.ts'

export class RedisScripts {
  readonly #redis: RedisLike
  /** Digests of the scripts this isolate has sent whole (Redis holds them, unless it lost them since). */
  readonly #sent = new Map<string, string>()

  constructor(redis: RedisLike) {
    this.#redis = redis
  }

  async run(script: string, keys: string[], args: string[]): Promise<unknown> {
    const redis = this.#redis
    const sha1 = this.#sent.get(script)
    if (!redis.evalsha || sha1 === undefined) {
      const answer = await redis.eval(script, keys, args)
      if (redis.evalsha && !this.#sent.has(script)) this.#sent.set(script, await digest(script))
      return answer
    }
    try {
      return await redis.evalsha(sha1, keys, args)
    } catch (error) {
      if (!/NOSCRIPT/i.test((error as Error)?.message ?? '')) throw error
      return redis.eval(script, keys, args)
    }
  }
}

async function digest(script: string): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(script))
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
