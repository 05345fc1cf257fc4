/** The one Postgres a stand-in relays to; every client-named address is checked against it. */
export interface Upstream {
  host: string
  port: number
}

export function upstreamFromUrl(databaseUrl: string): Upstream {
  const url = new URL(databaseUrl)
  return { host: url.hostname, port: Number(url.port || 5432) }
}

export function formatUpstream(upstream: Upstream): string {
  return `${upstream.host}:${upstream.port}`
}

/**
 * True only for the configured upstream. The comparison is on the literal
 * `host:port` the client names: no DNS lookups, no aliases, so the stand-in can
 * never be steered to another machine.
 */
export function isUpstream(upstream: Upstream, host: string, port: string | number): boolean {
  return host === upstream.host && Number(port) === upstream.port
}
