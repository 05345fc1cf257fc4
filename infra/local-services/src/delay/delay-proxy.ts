/**
 * A TCP proxy that adds a fixed delay each way, to see round trips as time:
 * put it between the stand-ins and Postgres or Redis and a request that makes
 * three round trips takes three times the round-trip time longer. It also
 * counts the round trips it carries: an exchange is counted each time a
 * client starts sending after the server has answered (or for the first
 * time), so a pipeline of statements counts once and a connection set-up
 * counts for each exchange it needs.
 *
 * ```ts
 * const pg = await startDelayProxy({ target: { host: '127.0.0.1', port: 5432 }, delayMs: 10 }) // RTT 20 ms
 * // connect to 127.0.0.1:${pg.port} instead of 5432
 * ```
 */

import type { AddressInfo } from 'node:net'
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface DelayProxyOptions {
  target: { host: string; port: number }
  /** Added to every chunk, each way: the round trip grows by twice this. */
  delayMs: number
  /** @default 0: a free port */
  port?: number
}

export interface DelayProxy {
  readonly port: number
  /** Changes the delay for data sent from now on. */
  setDelay(ms: number): void
  /** Round trips carried since the start (or the last reset), over every connection. */
  roundTrips(): number
  resetRoundTrips(): void
  /** Connections opened since the start (or the last reset). */
  connections(): number
  close(): Promise<void>
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  let delayMs = options.delayMs
  let roundTrips = 0
  let connections = 0
  const open = new Set<Socket>()

  const server: Server = createServer((client) => {
    connections += 1
    const upstream = connect(options.target.port, options.target.host)
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true)
      open.add(socket)
      socket.on('close', () => open.delete(socket))
    }
    let lastFromClient: boolean | undefined
    relay(client, upstream, () => {
      if (lastFromClient !== true) roundTrips += 1
      lastFromClient = true
    })
    relay(upstream, client, () => {
      lastFromClient = false
    })
  })

  /**
   * Forwards `from` to `to` after the delay; ends and errors travel too. One
   * queue per direction, drained in order by one timer: bytes never overtake
   * each other, whatever the timers' lateness or a change of delay.
   */
  function relay(from: Socket, to: Socket, onData: () => void) {
    const queue: Array<{ due: number; action: () => void }> = []
    let timer: ReturnType<typeof setTimeout> | undefined
    const drain = () => {
      timer = undefined
      const now = performance.now()
      while (queue.length > 0 && (queue[0] as { due: number }).due <= now) queue.shift()?.action()
      if (queue.length > 0) timer = setTimeout(drain, (queue[0] as { due: number }).due - now)
    }
    const later = (action: () => void) => {
      const last = queue.at(-1)?.due ?? 0
      queue.push({ due: Math.max(performance.now() + delayMs, last), action })
      if (timer === undefined) drain()
    }
    from.on('data', (chunk) => {
      onData()
      later(() => {
        if (!to.destroyed) to.write(chunk)
      })
    })
    from.on('end', () => later(() => to.end()))
    from.on('error', () => to.destroy())
    from.on('close', () => later(() => to.destroy()))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    setDelay(ms) {
      delayMs = ms
    },
    roundTrips: () => roundTrips,
    resetRoundTrips() {
      roundTrips = 0
      connections = 0
    },
    connections: () => connections,
    async close() {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
