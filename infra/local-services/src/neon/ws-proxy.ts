/**
 * The WebSocket→TCP tunnel the Neon driver speaks when `neonConfig.wsProxy` is
 * set: `GET /v1?address=host:port` upgrades, then raw Postgres protocol bytes
 * flow both ways inside binary frames. It opens TCP connections only to its
 * configured upstream; any other address is refused before the upgrade.
 */
import type { IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import { formatUpstream, isUpstream, type Upstream } from './upstream.ts'

export interface WsProxyOptions {
  upstream: Upstream
  /** Largest WebSocket message accepted; bigger ones close the tunnel with 1009. */
  maxMessageBytes: number
  /** Paths that upgrade; Neon's driver uses `/v1` behind a proxy. */
  paths?: string[]
}

export interface WsProxy {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Tunnels currently open (a test checks that a disposed pool leaves none). */
  openTunnels(): number
  /** Cuts every open tunnel at once, mid-statement if need be (fault injection). */
  dropTunnels(): number
  close(): void
}

/** Above this much unsent data towards the client, stop reading from Postgres. */
const HIGH_WATER_MARK = 1024 * 1024

export function createWsProxy(options: WsProxyOptions): WsProxy {
  const paths = new Set(options.paths ?? ['/v1', '/v2'])
  const server = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false })
  const tunnels = new Set<WebSocket>()

  function refuse(socket: Duplex, status: number, reason: string, message: string) {
    const body = JSON.stringify({ message })
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }

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
    handleUpgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', 'http://stand-in')
      if (!paths.has(url.pathname)) return refuse(socket, 404, 'Not Found', `no WebSocket endpoint at ${url.pathname}`)
      const address = url.searchParams.get('address')
      const match = address?.match(/^(.+):(\d{1,5})$/)
      if (!match) return refuse(socket, 400, 'Bad Request', 'address=host:port is required')
      const [, host = '', port = ''] = match
      if (!isUpstream(options.upstream, host, port)) {
        return refuse(
          socket,
          403,
          'Forbidden',
          `this proxy only relays to ${formatUpstream(options.upstream)}, not ${host}:${port}`,
        )
      }
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
