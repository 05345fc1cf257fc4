/**
 * What @upstash/ratelimit calls on its Redis client — `evalsha`, then `eval`
 * on NOSCRIPT — on top of any client with `eval` (the cache's `RedisLike`,
 * or `@upstash/redis`).
 *
 * Since 2.2 its scripts begin `#!lua flags=allow-key-locking`, a flag of
 * Upstash's own: Upstash then locks only the script's keys instead of
 * running scripts one at a time. Redis itself refuses such a script ("ERR
 * Unexpected flag in script shebang"), so behind a REST proxy over Redis —
 * the local bridge in front of Redis 7, a self-hosted proxy — every check
 * would fail, and fail open: no limit at all. Upstash keeps the flag: it is
 * sent as is until Redis refuses it once; from then on this client sends
 * the script without it, as EVAL (one round trip, the script text included;
 * Redis keeps the compiled script). A client without `evalsha` is treated
 * the same way.
 */

export interface ScriptClient {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>
  evalsha?(sha: string, keys: string[], args: string[]): Promise<unknown>
}

/** The client's script calls as @upstash/ratelimit makes them. */
export interface ScriptCalls {
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>
}

const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking'])
const SHEBANG_FLAGS = /^#!lua flags=([^\n]*)/
const REFUSED_FLAG = /Unexpected flag in script shebang/i

/** The script without the flags only Upstash knows; a shebang left with no flag is a bare `#!lua`. */
export function withoutUpstashFlags(script: string): string {
  return script.replace(SHEBANG_FLAGS, (_, flags: string) => {
    const kept = flags.split(',').filter((flag) => flag.trim() && !UPSTASH_ONLY_FLAGS.has(flag.trim()))
    return kept.length ? `#!lua flags=${kept.join(',')}` : '#!lua'
  })
}

export function scriptCalls(redis: ScriptClient): ScriptCalls {
  let flagsRefused = false
  const strings = (args: unknown[]) => args.map(String)
  return {
    async evalsha(sha, keys, args) {
      // the library sends the whole script when this fails with NOSCRIPT
      if (flagsRefused || !redis.evalsha) throw new Error('NOSCRIPT sending the script itself')
      return redis.evalsha(sha, keys, strings(args))
    },
    async eval(script, keys, args) {
      if (!flagsRefused) {
        try {
          return await redis.eval(script, keys, strings(args))
        } catch (error) {
          if (!REFUSED_FLAG.test(String(error))) throw error
          flagsRefused = true
        }
      }
      return redis.eval(withoutUpstashFlags(script), keys, strings(args))
    },
  }
}
