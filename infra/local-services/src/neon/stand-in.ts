/**
 * A local stand-in for Neon: the WebSocket proxy and the HTTP SQL endpoint on
 * one port, in front of one real Postgres.
 *
 * ```ts
 * const neon = await startNeonStandIn({ upstreamUrl: 'postgres://postgres@127.0.0.1:5432/test' })
 * process.env.NEON_WS_PROXY = neon.webSocketUrl     // ws://127.0.0.1:<port>/v1
 * process.env.NEON_HTTP_ENDPOINT = neon.httpEndpoint // http://127.0.0.1:<port>/sql
 * ```
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendJson } from '../http-io.ts'
import { createHttpEndpoint } from './http-endpoint.ts'
import { upstreamFromUrl } from './upstream.ts'
import { createWsProxy } from './ws-proxy.ts'

export interface NeonStandInOptions {
  /** The Postgres to relay to; only its host and port are used for routing. */
  upstreamUrl: string
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
  /** Largest WebSocket message. @default 64 MiB */
  maxMessageBytes?: number
  /** Largest HTTP request body (Neon's own limit is 64 MB). @default 10 MiB */
  maxBodyBytes?: number
}

export interface NeonStandIn {
  readonly port: number
  readonly webSocketUrl: string
  readonly httpEndpoint: string
  openTunnels(): number
  /**
   * What clients asked for since the start: WebSocket tunnels opened (each one a
   * connection set-up) and `/sql` requests (each one batch). Also `GET /stats`.
   */
  stats(): StandInStats
  /** Fault injection: cuts every open connection now; returns how many. */
  dropConnections(): number
  /**
   * Fault injection: while on, Postgres is "down" — open connections are cut
   * and new ones refused (503), as when the database stops.
   */
  setOutage(down: boolean): void
  close(): Promise<void>
}

export interface StandInStats {
  tunnelsOpened: number
  sqlRequests: number
}

export async function startNeonStandIn(options: NeonStandInOptions): Promise<NeonStandIn> {
  const upstream = upstreamFromUrl(options.upstreamUrl)
  const proxy = createWsProxy({ upstream, maxMessageBytes: options.maxMessageBytes ?? 64 * 1024 * 1024 })
  const sql = createHttpEndpoint({ upstream, maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024 })

  const stats: StandInStats = { tunnelsOpened: 0, sqlRequests: 0 }
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname
    if (path === '/sql') {
      if (request.method !== 'POST') return sendJson(response, 405, { message: 'use POST /sql' })
      stats.sqlRequests += 1
      void sql.handle(request, response)
      return
    }
    if (path === '/health' && request.method === 'GET') return sendJson(response, 200, { status: 'ok' })
    if (path === '/stats' && request.method === 'GET') return sendJson(response, 200, stats)
    sendJson(response, 404, { message: `nothing at ${request.method} ${path}` })
  })
  let outage = false
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy())
    if (outage) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    stats.tunnelsOpened += 1
    proxy.handleUpgrade(request, socket, head)
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  const host = options.host ?? '127.0.0.1'

  return {
    port,
    webSocketUrl: `ws://${host}:${port}/v1`,
    httpEndpoint: `http://${host}:${port}/sql`,
    openTunnels: proxy.openTunnels,
    stats: () => ({ ...stats }),
    dropConnections: proxy.dropTunnels,
    setOutage(down) {
      outage = down
      if (down) proxy.dropTunnels()
    },
    async close() {
      proxy.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sql.close()
    },
  }
}
