/**
 * The WebSocket→TCP tunnel the Neon driver speaks when `neonConfig.wsProxy` is
 * set: `GET /v1?address=host:port` upgrades, then raw Postgres protocol bytes
 * flow both ways inside binary frames. It opens TCP connections only to its
 * configured upstream, and at most `maxTunnels` at once; any other address, and
 * any tunnel past the bound, is refused before the upgrade.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import { formatUpstream, isUpstream, type Upstream } from './upstream.ts'

export interface WsProxyOptions {
  upstream: Upstream
  /** Largest WebSocket message accepted; bigger ones close the tunnel with 1009. */
  maxMessageBytes: number
  /** Tunnels open at once (each one a Postgres connection); more are answered 503. */
  maxTunnels: number
}

export interface WsProxy {
  /** `address` is the `host:port` the client asked for, from the query string. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, address: string | null): void
  /** Tunnels currently open (a test checks that a disposed pool leaves none). */
  openTunnels(): number
  /** Cuts every open tunnel at once, mid-statement if need be (fault injection). */
  dropTunnels(): number
  close(): void
}

/** Above this much unsent data towards the client, stop reading from Postgres. */
const HIGH_WATER_MARK = 1024 * 1024

/** Answers an upgrade request with a plain HTTP error, as a server that will not switch protocols. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

export function createWsProxy(options: WsProxyOptions): WsProxy {
  const server = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false })
  const tunnels = new Set<WebSocket>()
  // Counted from the admitted socket rather than the tunnel set, so handshakes under way count too.
  let admitted = 0

  function tunnel(client: WebSocket) {
    tunnels.add(client)
    const postgres: Socket = connect(options.upstream.port, options.upstream.host)
    postgres.setNoDelay(true)

    client.on('message', (data: RawData) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      if (!postgres.write(chunk)) {
        client.pause()
        postgres.once('drain', () => client.resume())
      }
    })
    postgres.on('data', (chunk) => {
      client.send(chunk, { binary: true }, () => {
        if (postgres.isPaused() && client.bufferedAmount < HIGH_WATER_MARK) postgres.resume()
      })
      if (client.bufferedAmount >= HIGH_WATER_MARK) postgres.pause()
    })

    const finish = () => {
      tunnels.delete(client)
      postgres.destroy()
      if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING) {
        client.close(1000)
      }
    }
    // An oversized or malformed frame makes `ws` close with 1009/1002; we only clean up.
    client.on('error', finish)
    client.on('close', finish)
    postgres.on('error', () => {
      if (client.readyState === WebSocket.OPEN) client.close(1011, 'upstream connection failed')
      finish()
    })
    postgres.on('close', finish)
  }

  return {
    handleUpgrade(request, socket, head, address) {
      const match = address?.match(/^(.+):(\d{1,5})$/)
      if (!match) return refuseUpgrade(socket, 400, 'address=host:port is required')
      const [, host = '', port = ''] = match
      if (!isUpstream(options.upstream, host, port)) {
        const message = `this proxy only relays to ${formatUpstream(options.upstream)}, not ${host}:${port}`
        return refuseUpgrade(socket, 403, message)
      }
      if (admitted >= options.maxTunnels) {
        return refuseUpgrade(socket, 503, `${options.maxTunnels} tunnels are open, the most this stand-in allows`)
      }
      if (socket.destroyed) return // the client left already: 'close' may have fired, and no slot is taken
      admitted += 1
      socket.once('close', () => {
        admitted -= 1
      })
      server.handleUpgrade(request, socket, head, tunnel)
    },
    openTunnels: () => tunnels.size,
    dropTunnels() {
      const dropped = tunnels.size
      for (const client of tunnels) client.terminate() // abrupt, like a network failure: no close frame
      return dropped
    },
    close() {
      for (const client of tunnels) client.terminate()
      server.close()
    },
  }
}
