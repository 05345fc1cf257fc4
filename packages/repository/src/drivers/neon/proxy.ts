/**
 * Points the Neon serverless driver at a local stand-in instead of Neon's hosts.
 *
 * The driver keeps these settings on its global `neonConfig` (`fetchEndpoint`
 * can only be set there), so they apply to the whole isolate. That matches how
 * it is used: one database per deployment, and production sets no proxy at all,
 * leaving Neon's defaults (secure WebSockets, pipelined connect) untouched.
 */
import { neonConfig } from '@neondatabase/serverless'
import type { NeonProxyConfig } from '../../db/config.ts'

export function configureNeonProxy(proxy: NeonProxyConfig | undefined): void {
  if (proxy?.webSocketUrl) {
    const url = new URL(proxy.webSocketUrl)
    const base = `${url.host}${url.pathname}`
    neonConfig.wsProxy = (host, port) => `${base}?address=${host}:${port}`
    neonConfig.useSecureWebSocket = url.protocol === 'wss:'
    // A plain Postgres behind the proxy speaks neither pipelined TLS nor
    // Neon's cleartext-password pipelining; both are Neon-specific shortcuts.
    neonConfig.pipelineTLS = false
    neonConfig.pipelineConnect = false
  }
  if (proxy?.httpEndpoint) {
    neonConfig.fetchEndpoint = proxy.httpEndpoint
  }
}
