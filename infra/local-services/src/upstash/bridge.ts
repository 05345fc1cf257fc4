/**
 * A local stand-in for Upstash Redis: its REST protocol (`POST /`,
 * `/pipeline`, `/multi-exec`) in front of a real Redis, so `@upstash/redis`
 * runs unchanged in development and tests.
 *
 * ```ts
 * const bridge = await startUpstashBridge({ redisUrl: 'redis://127.0.0.1:6379', token: 'dev' })
 * const redis = new Redis({ url: bridge.url, token: bridge.token })
 * ```
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PayloadTooLargeError, readBody, sendJson } from '../http-io.ts'
import { RedisPool } from './redis-pool.ts'
import { RedisError, type RespValue } from './resp.ts'
import {
  BadRequest,
  type Command,
  entry,
  parseCommand,
  parseCommands,
  parseJson,
  refusal,
  replyToJson,
} from './rest-protocol.ts'
import { ScriptFlags } from './script-flags.ts'

export interface UpstashBridgeOptions {
  /** `redis://host:port` of the Redis to serve. */
  redisUrl: string
  /** The bearer token clients must send. */
  token: string
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
  /** Upstash's own request limit. @default 10 MiB */
  maxBodyBytes?: number
  /** Pipelined connections to Redis. @default 4 */
  poolSize?: number
  /** @default 1000 */
  connectTimeoutMs?: number
  /** @default 5000 */
  commandTimeoutMs?: number
}

export interface UpstashBridge {
  /** What `UPSTASH_REDIS_REST_URL` should be. */
  readonly url: string
  readonly token: string
  readonly port: number
  /** Requests answered per endpoint (tests check where the client sent its commands). */
  requestCounts(): Readonly<Record<string, number>>
  /** Fault injection: every request waits this long before it is served (0: none). */
  setLatency(ms: number): void
  close(): Promise<void>
}

const ENDPOINTS = new Set(['/', '/pipeline', '/multi-exec'])
const MULTI = [Buffer.from('MULTI')]
const EXEC = [Buffer.from('EXEC')]

export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const redisUrl = new URL(options.redisUrl)
  const pool = new RedisPool({
    host: redisUrl.hostname,
    port: Number(redisUrl.port || 6379),
    size: options.poolSize ?? 4,
    connectTimeoutMs: options.connectTimeoutMs ?? 1000,
    commandTimeoutMs: options.commandTimeoutMs ?? 5000,
  })
  const expectedToken = digest(options.token)
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024
  // One Redis, no replicas: every answer is already consistent with every write
  // before it, so a counter is a faithful read-your-writes token.
  let syncToken = 0
  const counts: Record<string, number> = { '/': 0, '/pipeline': 0, '/multi-exec': 0 }
  // Upstash's `allow-key-locking` script flag, which plain Redis refuses (script-flags.ts)
  const scripts = new ScriptFlags()

  function authorized(request: IncomingMessage): boolean {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expectedToken)
  }

  async function answer(path: string, body: unknown, base64: boolean): Promise<[number, unknown]> {
    if (path === '/') {
      const command = parseCommand(body)
      const refused = refusal(command)
      if (refused) throw new BadRequest(refused)
      const [reply] = await pool.send([scripts.forRedis(command)])
      return reply instanceof RedisError
        ? [400, { error: reply.message }]
        : [200, { result: replyToJson(reply ?? null, base64) }]
    }
    const commands = parseCommands(body)
    if (path === '/pipeline') return [200, await pipeline(commands, base64)]
    return transaction(commands, base64)
  }

  /** Runs every allowed command; a refused or failing one gets `{error}` and the rest go on. */
  async function pipeline(commands: Command[], base64: boolean) {
    const refusals = commands.map(refusal)
    const allowed = commands.filter((_, i) => refusals[i] === undefined)
    const replies = allowed.length ? await pool.send(allowed.map((command) => scripts.forRedis(command))) : []
    let next = 0
    return refusals.map((refused) => (refused ? { error: refused } : entry(replies[next++] ?? null, base64)))
  }

  /** MULTI … EXEC written in one piece, so no other client's command can land inside it. */
  async function transaction(commands: Command[], base64: boolean): Promise<[number, unknown]> {
    const refused = commands.map(refusal).find((reason) => reason !== undefined)
    if (refused) throw new BadRequest(refused)
    const replies = await pool.send([MULTI, ...commands.map((command) => scripts.forRedis(command)), EXEC])
    const exec: RespValue = replies.at(-1) ?? null
    if (exec instanceof RedisError) {
      // a command failed to queue (syntax, arity): Redis discarded the whole transaction
      const cause = replies.slice(1, -1).find((reply) => reply instanceof RedisError) as RedisError | undefined
      return [400, { error: cause ? `${exec.message} ${cause.message}` : exec.message }]
    }
    if (!Array.isArray(exec)) return [400, { error: 'ERR transaction was not executed' }]
    return [200, exec.map((reply) => entry(reply, base64))]
  }

  let latencyMs = 0
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs))
    const path = new URL(request.url ?? '/', 'http://bridge').pathname
    const headers = () => ({ 'upstash-sync-token': String(++syncToken) })
    try {
      if (!ENDPOINTS.has(path))
        throw new BadRequest(`ERR no endpoint ${request.method} ${path}; use POST /, /pipeline or /multi-exec`, 404)
      if (request.method !== 'POST') throw new BadRequest(`ERR ${request.method} is not supported; use POST`, 405)
      if (!authorized(request)) {
        request.resume()
        throw new BadRequest('Unauthorized', 401)
      }
      counts[path] = (counts[path] ?? 0) + 1
      const body = parseJson(await readBody(request, maxBodyBytes))
      const base64 = request.headers['upstash-encoding']?.toString().toLowerCase() === 'base64'
      const [status, payload] = await answer(path, body, base64)
      sendJson(response, status, payload, headers())
    } catch (error) {
      if (error instanceof BadRequest) return sendJson(response, error.status, { error: error.message })
      if (error instanceof PayloadTooLargeError) return sendJson(response, 413, { error: `ERR ${error.message}` })
      sendJson(response, 503, { error: `ERR Redis is unavailable: ${(error as Error).message}` })
    }
  }

  const server = createServer((request, response) => void handle(request, response))
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    token: options.token,
    port,
    requestCounts: () => ({ ...counts }),
    setLatency(ms) {
      latencyMs = ms
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await pool.close()
    },
  }
}

/** Equal-length digests, so the comparison takes the same time whatever the token. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}
