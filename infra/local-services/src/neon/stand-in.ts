/**
 * A local stand-in for Neon: the WebSocket proxy and the HTTP SQL endpoint on
 * one port, in front of one real Postgres. Its URLs carry a per-start secret
 * (access.ts says why); use them as they are returned.
 *
 * ```ts
 * const neon = await startNeonStandIn({ upstreamUrl: 'postgres://postgres@127.0.0.1:5432/test' })
 * process.env.NEON_WS_PROXY = neon.webSocketUrl     // ws://127.0.0.1:<port>/<secret>/v1
 * process.env.NEON_HTTP_ENDPOINT = neon.httpEndpoint // http://127.0.0.1:<port>/<secret>/sql
 * ```
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendJson } from '../http-io.ts'
import { createAccess, urlHost } from './access.ts'
import { createHttpEndpoint } from './http-endpoint.ts'
import { upstreamFromUrl } from './upstream.ts'
import { createWsProxy, refuseUpgrade } from './ws-proxy.ts'

export interface NeonStandInOptions {
  /** The Postgres to relay to; only its host and port are used for routing. */
  upstreamUrl: string
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
  /**
   * The first path segment of every URL but `/health`: 16 or more of
   * A-Z a-z 0-9 _ -. @default 32 random bytes, base64url, new at every start
   */
  secret?: string
  /** WebSocket tunnels open at once; more are refused with 503 before the upgrade. @default 64 */
  maxTunnels?: number
  /** `/sql` pools (one per user, password and database); past it the least recently used is closed. @default 16 */
  maxPools?: number
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
   * connection set-up) and `/sql` requests (each one batch). Also `GET <secret>/stats`.
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

/** Where the Neon driver's WebSockets land behind a proxy (`/v2` is what it asks Neon itself for). */
const TUNNEL_ROUTES = new Set(['/v1', '/v2'])

export async function startNeonStandIn(options: NeonStandInOptions): Promise<NeonStandIn> {
  const upstream = upstreamFromUrl(options.upstreamUrl)
  const host = options.host ?? '127.0.0.1'
  let port = 0 // known once listening; the Host check reads it per request
  const access = createAccess({ secret: options.secret, host, port: () => port })
  const maxTunnels = positive('maxTunnels', options.maxTunnels ?? 64)
  const maxPools = positive('maxPools', options.maxPools ?? 16)
  const proxy = createWsProxy({ upstream, maxTunnels, maxMessageBytes: options.maxMessageBytes ?? 64 * 1024 * 1024 })
  const sql = createHttpEndpoint({ upstream, maxPools, maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024 })

  const stats: StandInStats = { tunnelsOpened: 0, sqlRequests: 0 }
  const server: Server = createServer((request, response) => {
    const admission = access.admit(request)
    if (!admission.admitted) return sendJson(response, admission.status, { message: admission.message })
    const { route } = admission
    if (route === '/sql') {
      if (request.method !== 'POST') return sendJson(response, 405, { message: 'use POST /sql' })
      stats.sqlRequests += 1
      void sql.handle(request, response)
      return
    }
    if (route === '/health' && request.method === 'GET') return sendJson(response, 200, { status: 'ok' })
    if (route === '/stats' && request.method === 'GET') return sendJson(response, 200, stats)
    sendJson(response, 404, { message: `nothing at ${request.method} ${route}` })
  })
  let outage = false
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy())
    const admission = access.admit(request)
    if (!admission.admitted) return refuseUpgrade(socket, admission.status, admission.message)
    const { route, search } = admission
    if (!TUNNEL_ROUTES.has(route)) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${route}`)
    if (outage) return refuseUpgrade(socket, 503, 'Postgres is down')
    stats.tunnelsOpened += 1
    proxy.handleUpgrade(request, socket, head, search.get('address'))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  port = (server.address() as AddressInfo).port
  const base = `${urlHost(host)}:${port}/${access.secret}`

  return {
    port,
    webSocketUrl: `ws://${base}/v1`,
    httpEndpoint: `http://${base}/sql`,
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

function positive(name: string, value: number): number {
  if (Number.isInteger(value) && value >= 1) return value
  throw new Error(`${name} must be a whole number of 1 or more, not ${value}`)
}
