/**
 * `npm start` as a new user runs it: the embedded default (PGlite in a scratch
 * directory, seeded), no JWT_SECRET, metrics quiet, a free port. Gives its URL
 * and the token it prints.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Started, startScript } from './processes.ts'

/** The line `npm start` prints once it serves: the token and the URL to try. */
export const READY = /try: curl -H "Authorization: Bearer [\w.-]+" http:\/\/localhost:\d+/

export interface EmbeddedServer {
  readonly server: Started
  /** `http://localhost:<port>` */
  readonly base: string
  /** The token it printed (development secret, organization acme, editor). */
  readonly token: string
  /** Stops it and removes its data. */
  stop(): Promise<void>
}

export async function startEmbeddedServer(label: string, env: Record<string, string> = {}): Promise<EmbeddedServer> {
  const dataDir = await mkdtemp(join(tmpdir(), `dal-${label}-`))
  const server = await startScript(
    'functions/documents-api/node.ts',
    {
      PORT: '0',
      DATABASE_URL: '',
      JWT_SECRET: '',
      PGLITE_DATA_DIR: join(dataDir, 'pglite'),
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...env,
    },
    READY,
  ).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true })
    throw error
  })
  const [, token = '', base = ''] = /Bearer ([\w.-]+)" (http:\/\/localhost:\d+)/.exec(server.stdout()) ?? []
  return {
    server,
    base,
    token,
    async stop() {
      await server.stop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
