/**
 * A small pool of pipelined Redis connections. Each batch goes, whole, to the
 * least busy live connection; dead connections are dropped and replaced on
 * demand, so the bridge recovers by itself when Redis comes back.
 */
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.ts'
import type { RespValue } from './resp.ts'

export interface RedisPoolOptions extends RedisConnectionOptions {
  /** Connections kept open; pipelining makes a few enough for many clients. */
  size: number
}

export class RedisPool {
  readonly #options: RedisPoolOptions
  readonly #connections: RedisConnection[] = []
  readonly #opening = new Set<Promise<RedisConnection>>()
  #closed = false

  constructor(options: RedisPoolOptions) {
    this.#options = options
  }

  async send(commands: readonly (readonly Buffer[])[]): Promise<RespValue[]> {
    const connection = await this.#acquire()
    return connection.send(commands)
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled(this.#opening)
    for (const connection of this.#connections.splice(0)) connection.close()
  }

  async #acquire(): Promise<RedisConnection> {
    if (this.#closed) throw new Error('the Redis pool is closed')
    for (let i = this.#connections.length - 1; i >= 0; i--) {
      if (!this.#connections[i]?.alive) this.#connections.splice(i, 1)
    }
    const idle = this.#connections.find((connection) => connection.pending === 0)
    if (idle) return idle
    if (this.#connections.length + this.#opening.size < this.#options.size) return this.#open()
    const leastBusy = this.#connections.reduce<RedisConnection | undefined>(
      (best, connection) => (best === undefined || connection.pending < best.pending ? connection : best),
      undefined,
    )
    // every slot is still connecting: wait for one of them
    return leastBusy ?? Promise.any(this.#opening)
  }

  async #open(): Promise<RedisConnection> {
    const opening = RedisConnection.open(this.#options)
    this.#opening.add(opening)
    try {
      const connection = await opening
      if (this.#closed) {
        connection.close()
        throw new Error('the Redis pool is closed')
      }
      this.#connections.push(connection)
      return connection
    } finally {
      this.#opening.delete(opening)
    }
  }
}
