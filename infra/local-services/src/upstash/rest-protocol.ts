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

/** Why this command may not run over REST, or undefined when it may. */
export function refusal(command: Command): string | undefined {
  const name = command[0]?.toString('utf8').toLowerCase() ?? ''
  if (CONNECTION_BOUND.has(name)) return `ERR command '${name}' is not available over the REST API`
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
