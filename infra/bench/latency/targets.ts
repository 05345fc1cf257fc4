/**
 * A version of the documents API running in one runtime, ready for requests:
 * on Node in this process (`app.request`, as `node.ts` builds it; or as
 * `lambda.ts` does, awaiting work left after the response), or in workerd
 * (Miniflare, the Worker bundle, over loopback HTTP). Each target has
 * two instances on one Redis namespace: memory tier on, and off (so reads
 * that miss memory are answered by Redis, as in another isolate).
 */
import { Redis } from '@upstash/redis'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { compatibilityDate, type Version } from './versions.ts'

export interface Target {
  /** Lambda: the Node service as `lambda.ts` builds it, awaiting its background work before it answers. */
  runtime: 'Node' | 'Lambda' | 'workerd'
  version: Version['name']
  /** Memory tier on. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** Memory tier off: a read is answered by Redis or the database. */
  redisOnly(path: string, init?: RequestInit): Promise<Response>
  /** Waits for what the requests left running after their responses. */
  settle(): Promise<void>
  close(): Promise<void>
}

/** Where the services are, as the entries read it from their environment. */
export type ServiceEnv = Record<string, string>

interface NodeService {
  app: { request(path: string, init?: RequestInit): Response | Promise<Response> }
  factory: { cache?: { idle(): Promise<void> }; dispose(): Promise<void> }
  background?: { settled(): Promise<void> }
}

interface NodeModule {
  createService(options: object): NodeService
  perProcessLifetime(config: unknown): { dispose(): Promise<void> }
  databaseConfigFromEnv(env: ServiceEnv): unknown
  createDatabase(config: unknown): { db: unknown; dispose(): Promise<void> }
  /** Applies the version's own migrations. */
  migrate(db: unknown): Promise<unknown>
}

/** Migrates the database `env` names with the version's own migrations (each version has its own database). */
export async function migrateVersion(version: Version, env: ServiceEnv): Promise<void> {
  const module = (await import(version.nodeModule)) as NodeModule
  const database = module.createDatabase(module.databaseConfigFromEnv(env))
  try {
    await module.migrate(database.db)
  } finally {
    await database.dispose()
  }
}

export async function nodeTarget(version: Version, env: ServiceEnv, runtime: 'node' | 'lambda'): Promise<Target> {
  const module = (await import(version.nodeModule)) as NodeModule
  const databases = module.perProcessLifetime(module.databaseConfigFromEnv(env))
  const redis = new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
  })
  const service = (extra: ServiceEnv) =>
    module.createService({ env: { ...env, ...extra }, runtime, databases, jwtSecret: env.JWT_SECRET, redis })
  const [memory, redisOnly] = [service({}), service({ CACHE_MEMORY: 'off' })]
  return {
    runtime: runtime === 'node' ? 'Node' : 'Lambda',
    version: version.name,
    request: async (path, init) => memory.app.request(path, init),
    redisOnly: async (path, init) => redisOnly.app.request(path, init),
    async settle() {
      for (const s of [memory, redisOnly]) {
        await s.background?.settled()
        await s.factory.cache?.idle()
      }
    },
    async close() {
      await Promise.all([memory.factory.dispose(), redisOnly.factory.dispose()])
      await databases.dispose()
    },
  }
}

export async function workerdTarget(version: Version, env: ServiceEnv, modulesRoot: string): Promise<Target> {
  const start = async (extra: ServiceEnv) => {
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        modulesRoot,
        scriptPath: version.workerScript,
        compatibilityDate: compatibilityDate(),
        compatibilityFlags: ['nodejs_compat'],
        bindings: { ...env, ...extra, POWERTOOLS_DEV: 'true' },
      }),
    )
    return { mf, base: await mf.ready }
  }
  const [memory, redisOnly] = [await start({}), await start({ CACHE_MEMORY: 'off' })]
  return {
    runtime: 'workerd',
    version: version.name,
    request: (path, init) => fetch(new URL(path, memory.base), init),
    redisOnly: (path, init) => fetch(new URL(path, redisOnly.base), init),
    // work in ctx.waitUntil finishes after the response, out of sight: give it a moment
    settle: () => new Promise((resolve) => setTimeout(resolve, 40)),
    async close() {
      await Promise.all([memory.mf.dispose(), redisOnly.mf.dispose()])
    },
  }
}
