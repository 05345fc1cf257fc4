/**
 * The Upstash REST protocol as `@upstash/redis` speaks it: what a request body
 * may hold, which commands may run over a shared connection, and how RESP
 * replies become JSON.
 */
import { RedisError, type RespValue, SimpleString } from './resp.ts'

export type Command = Buffer[]

/** A client mistake: answered with this status and `{ error }`; the bridge keeps serving. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

/** One command: a non-empty array of strings, numbers or booleans (the client's serialised arguments). */
export function parseCommand(value: unknown, where = 'the body'): Command {
  if (!Array.isArray(value)) throw new BadRequest(`${where} must be a JSON array like ["SET","key","value"]`)
  if (value.length === 0) throw new BadRequest(`${where} is an empty command`)
  return value.map((arg, index) => {
    if (typeof arg === 'string') return Buffer.from(arg, 'utf8')
    if (typeof arg === 'number' && Number.isFinite(arg)) return Buffer.from(String(arg))
    if (typeof arg === 'boolean') return Buffer.from(String(arg))
    throw new BadRequest(`${where}[${index}] must be a string or a number`)
  })
}

/** A pipeline or transaction: a non-empty array of commands. */
export function parseCommands(value: unknown): Command[] {
  if (!Array.isArray(value)) throw new BadRequest('the body must be a JSON array of commands like [["GET","k"]]')
  if (value.length === 0) throw new BadRequest('the body holds no commands')
  return value.map((command, index) => parseCommand(command, `command ${index + 1}`))
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    throw new BadRequest('the body is not valid JSON')
  }
}

/**
 * Commands that would change the state of a pooled connection for everyone
 * after (a transaction, a selected database, a subscription) or hold it
 * (blocking pops). Transactions go through /multi-exec.
 */
const CONNECTION_BOUND = new Set([
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'select',
  'swapdb',
  'auth',
  'hello',
  'quit',
  'reset',
  'client',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'monitor',
  'sync',
  'psync',
  'replconf',
  'replicaof',
  'slaveof',
  'shutdown',
  'debug',
  'failover',
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'waitaof',
])

/**
 * The data commands Upstash serves over REST, and only those: anyone holding
 * the token gets them, so nothing that changes the server (`CONFIG`, `ACL`,
 * `FLUSHALL`, `SCRIPT FLUSH`, `DEBUG`) or makes it connect elsewhere
 * (`MIGRATE`, `REPLICAOF`) passes. An allow-list, so a command added to
 * Redis tomorrow is refused until it is put here.
 */
const DATA_COMMANDS = new Set(
  `append decr decrby get getdel getex getrange getset incr incrby incrbyfloat mget mset msetnx psetex set setex setnx
  setrange strlen lcs substr del unlink exists expire expireat pexpire pexpireat expiretime pexpiretime persist ttl pttl
  type keys scan randomkey rename renamenx touch copy dump restore object sort sort_ro dbsize ping echo time
  hdel hexists hget hgetall hincrby hincrbyfloat hkeys hlen hmget hmset hrandfield hscan hset hsetnx hstrlen hvals
  lindex linsert llen lmove lmpop lpop lpos lpush lpushx lrange lrem lset ltrim rpop rpoplpush rpush rpushx
  sadd scard sdiff sdiffstore sinter sintercard sinterstore sismember smembers smismember smove spop srandmember srem
  sscan sunion sunionstore zadd zcard zcount zdiff zdiffstore zincrby zinter zintercard zinterstore zlexcount zmpop
  zmscore zpopmax zpopmin zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem zremrangebylex
  zremrangebyrank zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion zunionstore
  xack xadd xautoclaim xclaim xdel xgroup xinfo xlen xpending xrange xread xreadgroup xrevrange xtrim
  bitcount bitfield bitfield_ro bitop bitpos getbit setbit pfadd pfcount pfmerge
  geoadd geodist geohash geopos georadius georadiusbymember geosearch geosearchstore
  eval evalsha eval_ro evalsha_ro script publish`.split(/\s+/),
)

/** Of `SCRIPT`, what a data client needs: loading and looking up, not flushing or killing. */
const SCRIPT_SUBCOMMANDS = new Set(['load', 'exists'])

/** Why this command may not run over REST, or undefined when it may. */
export function refusal(command: Command): string | undefined {
  const name = command[0]?.toString('utf8').toLowerCase() ?? ''
  if (CONNECTION_BOUND.has(name)) return `ERR command '${name}' is not available over the REST API`
  if (!DATA_COMMANDS.has(name)) return `ERR unknown command '${command[0]?.toString('utf8') ?? ''}'`
  if (name === 'script' && !SCRIPT_SUBCOMMANDS.has(command[1]?.toString('utf8').toLowerCase() ?? '')) {
    return 'ERR only SCRIPT LOAD and SCRIPT EXISTS are available over the REST API'
  }
  if ((name === 'xread' || name === 'xreadgroup') && command.some((arg) => arg.toString().toLowerCase() === 'block')) {
    return `ERR blocking ${name} is not available over the REST API`
  }
  return undefined
}

/**
 * A reply as JSON. With `base64` (the client's default `Upstash-Encoding`),
 * every string is base64 of its bytes except a top-level `OK` status, which
 * the client reads as is; integers stay numbers, nil stays null, arrays nest.
 */
export function replyToJson(reply: RespValue, base64: boolean, depth = 0): unknown {
  if (reply === null || typeof reply === 'number') return reply
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8')
  if (reply instanceof SimpleString) {
    if (!base64 || (depth === 0 && reply.value === 'OK')) return reply.value
    return Buffer.from(reply.value).toString('base64')
  }
  if (reply instanceof RedisError) return reply.message
  return reply.map((item) => replyToJson(item, base64, depth + 1))
}

/** One entry of a /pipeline or /multi-exec answer. */
export function entry(reply: RespValue, base64: boolean): { result: unknown } | { error: string } {
  return reply instanceof RedisError ? { error: reply.message } : { result: replyToJson(reply, base64) }
}
