/**
 * One pipelined TCP connection to Redis. Replies come back in the order the
 * commands were written, so each sender's commands are written in one piece
 * and matched to a FIFO of waiting callers. When that order can no longer be
 * trusted (a timeout, a socket error) the connection is destroyed and every
 * caller still waiting gets an error: a reply is never handed to the wrong one.
 */
import { connect, type Socket } from 'node:net'
import { encodeCommand, RespParser, type RespValue } from './resp.ts'

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError'
}

interface Waiter {
  resolve(value: RespValue): void
  reject(error: Error): void
}

export interface RedisConnectionOptions {
  host: string
  port: number
  /** Abandon a connection attempt after this long. */
  connectTimeoutMs: number
  /** A batch whose replies take longer than this fails, and the connection is dropped. */
  commandTimeoutMs: number
}

export class RedisConnection {
  readonly #socket: Socket
  readonly #waiters: Waiter[] = []
  readonly #commandTimeoutMs: number
  #closed = false

  private constructor(socket: Socket, commandTimeoutMs: number) {
    this.#socket = socket
    this.#commandTimeoutMs = commandTimeoutMs
    const parser = new RespParser((reply) => this.#waiters.shift()?.resolve(reply))
    socket.on('data', (chunk) => {
      try {
        parser.feed(chunk)
      } catch (error) {
        this.#fail(new RedisUnavailableError(`unreadable reply from Redis: ${(error as Error).message}`))
      }
    })
    socket.on('error', (error) => this.#fail(new RedisUnavailableError(`Redis connection failed: ${error.message}`)))
    socket.on('close', () => this.#fail(new RedisUnavailableError('Redis closed the connection')))
  }

  static open(options: RedisConnectionOptions): Promise<RedisConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port, noDelay: true })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(
          new RedisUnavailableError(`Redis at ${options.host}:${options.port} did not accept a connection in time`),
        )
      }, options.connectTimeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve(new RedisConnection(socket, options.commandTimeoutMs))
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(new RedisUnavailableError(`Redis at ${options.host}:${options.port} is unreachable: ${error.message}`))
      })
    })
  }

  get alive(): boolean {
    return !this.#closed
  }

  /** Commands waiting for a reply; the pool prefers the least busy connection. */
  get pending(): number {
    return this.#waiters.length
  }

  /** Writes all commands at once (nothing else can come between them) and returns their replies in order. */
  send(commands: readonly (readonly Buffer[])[]): Promise<RespValue[]> {
    if (this.#closed) return Promise.reject(new RedisUnavailableError('Redis connection is closed'))
    const replies = commands.map(
      () =>
        new Promise<RespValue>((resolve, reject) => {
          this.#waiters.push({ resolve, reject })
        }),
    )
    this.#socket.write(Buffer.concat(commands.map(encodeCommand)))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RedisUnavailableError(`Redis did not answer within ${this.#commandTimeoutMs} ms`)
        this.#fail(error)
        reject(error)
      }, this.#commandTimeoutMs)
    })
    return Promise.race([Promise.all(replies), timeout]).finally(() => clearTimeout(timer))
  }

  close(): void {
    this.#fail(new RedisUnavailableError('Redis connection closed by the bridge'))
  }

  #fail(error: Error): void {
    if (!this.#closed) {
      this.#closed = true
      this.#socket.destroy()
    }
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error)
  }
}
