/**
 * Lua scripts by their SHA-1 where the client can (`EVALSHA`): the first run
 * of a script in an isolate sends it whole (`EVAL`, which also caches it in
 * Redis), later runs send its digest only. When Redis has lost it (a restart,
 * `SCRIPT FLUSH`, another node) the `NOSCRIPT` answer is followed by one
 * `EVAL`. A client without `evalsha` sends every script whole.
 *
 * Every script goes with the shebang `#!lua flags=allow-key-locking`: on
 * Upstash a script otherwise takes the database's global lock, so no other
 * command runs while it does — every cache lookup would. With the flag it
 * locks only the keys in KEYS, which is all our scripts touch. A Redis that
 * does not know the flag refuses it ("Unexpected flag"); the runner then
 * sends its scripts without a shebang from then on.
 */
import type { RedisLike } from './redis-like.ts'

/** What running scripts asks of a client. */
export type ScriptClient = Pick<RedisLike, 'eval' | 'evalsha'>

export const KEY_LOCKING = '#!lua flags=allow-key-locking\n'

export class RedisScripts {
  readonly #redis: ScriptClient
  /** Digests of the scripts this isolate has sent whole (Redis holds them, unless it lost them since). */
  readonly #sent = new Map<string, string>()
  /** Whether this Redis refused the shebang's flag: then scripts go without it. */
  #plain = false

  constructor(redis: ScriptClient) {
    this.#redis = redis
  }

  async run(script: string, keys: string[], args: string[]): Promise<unknown> {
    const redis = this.#redis
    const text = this.#plain ? script : KEY_LOCKING + script
    const sha1 = this.#sent.get(text)
    if (!redis.evalsha || sha1 === undefined) return this.#sendWhole(script, text, keys, args)
    try {
      return await redis.evalsha(sha1, keys, args)
    } catch (error) {
      if (!/NOSCRIPT/i.test(messageOf(error))) throw error
      return redis.eval(text, keys, args)
    }
  }

  async #sendWhole(script: string, text: string, keys: string[], args: string[]): Promise<unknown> {
    let sent = text
    let answer: unknown
    try {
      answer = await this.#redis.eval(text, keys, args)
    } catch (error) {
      if (this.#plain || !/unexpected flag|unknown flag/i.test(messageOf(error))) throw error
      this.#plain = true // not Upstash: no shebang from now on
      sent = script
      answer = await this.#redis.eval(script, keys, args)
    }
    if (this.#redis.evalsha && !this.#sent.has(sent)) this.#sent.set(sent, await digest(sent))
    return answer
  }
}

const messageOf = (error: unknown) => (error as Error)?.message ?? ''

async function digest(script: string): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(script))
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
