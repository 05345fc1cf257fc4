/**
 * Round trips as time. Postgres and Redis sit behind a TCP delay (the
 * stand-ins talk to them through it); the documents API answers each path at
 * a round-trip time of 0, 5 and 20 ms, on Node and in workerd, before and
 * after, in one run. Targets take turns path by path and round by round, so
 * drift hits all alike; figures are medians of the per-round means. At RTT 0
 * the delay proxies also count the round trips each call makes (those after
 * the response included, as they are still trips). "Lambda" is the Node
 * service as the Lambda entry builds it: it awaits what is left after a
 * response (a miss's store) before answering, as nothing runs after a handler
 * returns.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import { type DelayProxy, startDelayProxy, startNeonStandIn, startUpstashBridge } from '@serverless-dal/local-services'
import { admin, median } from '../../../packages/documents/bench/local-services.ts'
import { migrateVersion, nodeTarget, type ServiceEnv, type Target, workerdTarget } from './targets.ts'
import { buildVersions } from './versions.ts'

export interface LatencyOptions {
  /** Round-trip times to measure at, ms. */
  rtts: number[]
  rounds: number
  /** Calls per path, target and round. */
  calls: number
  /** The git ref measured as "before". */
  beforeRef: string
  adminUrl: string
  redisUrl: string
  progress: (text: string) => void
}

export interface PathFigures {
  path: string
  runtime: Target['runtime']
  version: Target['version']
  /** Median ms per call, by round-trip time. */
  ms: Record<number, number>
  /** Per call at RTT 0, the work after the response included. */
  postgresTrips: number
  redisTrips: number
}

const ORG = 'bench-latency'
const SECRET = 'bench-latency-jwt-secret-0123456789'

interface Path {
  name: string
  send(target: Target): Promise<Response>
  /**
   * Sent once, untimed, right before each timed run: a memory entry is trusted
   * for a bounded time (`maxStalenessMs`, 2 s), so a hit is only a hit shortly
   * after the entry was read.
   */
  prime?: boolean
}

/** What a version's paths read and write: its own database's rows. */
interface Rows {
  hot: number
  topic: number
  fresh: number[]
}

export async function runLatencyBench(options: LatencyOptions): Promise<PathFigures[]> {
  const work = mkdtempSync(join(tmpdir(), 'dal-latency-'))
  // each version on a database of its own, at its own schema version
  const name = (version: string) => `dal_latency_${version}_${Date.now().toString(36)}`
  const names = { before: name('before'), after: name('after') }
  for (const database of Object.values(names)) await admin(options.adminUrl, `create database ${database}`)
  const closers: Array<() => Promise<unknown>> = [
    ...Object.values(names).map(
      (database) => () => admin(options.adminUrl, `drop database if exists ${database} with (force)`),
    ),
    async () => rmSync(work, { recursive: true, force: true }),
  ]
  try {
    options.progress(`building ${options.beforeRef} (before) and this tree (after)…`)
    const versions = await buildVersions(options.beforeRef, work)

    const pgUrl = new URL(options.adminUrl)
    const redisUrl = new URL(options.redisUrl)
    const postgres = await startDelayProxy({
      target: { host: pgUrl.hostname, port: Number(pgUrl.port || 5432) },
      delayMs: 0,
    })
    const redis = await startDelayProxy({
      target: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) },
      delayMs: 0,
    })
    closers.unshift(
      () => postgres.close(),
      () => redis.close(),
    )
    const databaseUrl = (version: Target['version']) => {
      const url = new URL(options.adminUrl)
      url.host = `127.0.0.1:${postgres.port}`
      url.pathname = `/${names[version]}`
      return url.href
    }
    const neon = await startNeonStandIn({ upstreamUrl: databaseUrl('after') })
    const bridge = await startUpstashBridge({ redisUrl: `redis://127.0.0.1:${redis.port}`, token: 'latency' })
    closers.unshift(
      () => neon.close(),
      () => bridge.close(),
    )

    const env = (version: Target['version'], namespace: string): ServiceEnv => ({
      DATABASE_URL: databaseUrl(version),
      NEON_WS_PROXY: neon.webSocketUrl,
      NEON_HTTP_ENDPOINT: neon.httpEndpoint,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      JWT_SECRET: SECRET,
      POWERTOOLS_METRICS_DISABLED: 'true',
      CACHE_NAMESPACE: `${namespace}-${Date.now().toString(36)}`,
    })
    options.progress('starting Node services and workerd…')
    const targets: Target[] = []
    const rows = new Map<Target['version'], Rows>()
    for (const version of versions) {
      await migrateVersion(version, env(version.name, 'migrate'))
      const node = await nodeTarget(version, env(version.name, `node-${version.name}`), 'node')
      const lambda = await nodeTarget(version, env(version.name, `lambda-${version.name}`), 'lambda')
      const workerd = await workerdTarget(version, env(version.name, `workerd-${version.name}`), work)
      targets.push(node, lambda, workerd)
      closers.unshift(
        () => node.close(),
        () => lambda.close(),
        () => workerd.close(),
      )
      rows.set(version.name, await seed(node, 3, options))
    }
    const paths = pathsOver(rows)
    const figures = new Map<string, PathFigures>()
    const key = (path: Path, target: Target) => `${path.name}|${target.runtime}|${target.version}`
    for (const path of paths) {
      for (const target of targets) {
        figures.set(key(path, target), {
          path: path.name,
          runtime: target.runtime,
          version: target.version,
          ms: {},
          postgresTrips: 0,
          redisTrips: 0,
        })
      }
    }

    options.progress('counting round trips…')
    await countRoundTrips(paths, targets, { postgres, redis }, (path, target, trips) =>
      Object.assign(figures.get(key(path, target)) as PathFigures, trips),
    )

    for (const rtt of options.rtts) {
      postgres.setDelay(rtt / 2)
      redis.setDelay(rtt / 2)
      for (const path of paths) for (const target of targets) await send(path, target) // warm at this delay
      const samples = new Map<string, number[]>()
      for (let round = 1; round <= options.rounds; round++) {
        for (const path of paths) {
          for (const target of targets) {
            options.progress(
              `RTT ${rtt} ms, round ${round}/${options.rounds}: ${path.name} on ${target.runtime} ${target.version}`,
            )
            await target.settle()
            if (path.prime) await send(path, target)
            const started = performance.now()
            for (let i = 0; i < options.calls; i++) await send(path, target)
            const list = samples.get(key(path, target)) ?? []
            list.push((performance.now() - started) / options.calls)
            samples.set(key(path, target), list)
          }
        }
      }
      for (const [k, list] of samples) (figures.get(k) as PathFigures).ms[rtt] = median(list)
    }
    return [...figures.values()]
  } finally {
    for (const close of closers) await close().catch(() => {})
  }
}

const TOKEN = signToken(SECRET, { org: ORG, role: 'editor' })
const headers = async (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${await TOKEN}`, ...extra })
const JSON_BODY = { 'content-type': 'application/json' }

/** Creates a version's rows through its Node service: a topic, a document read over and over, and documents read once. */
async function seed(through: Target, targetsPerVersion: number, options: LatencyOptions): Promise<Rows> {
  const post = async (path: string, body: object) =>
    (await ok(
      through.request(path, { method: 'POST', headers: await headers(JSON_BODY), body: JSON.stringify(body) }),
    )) as {
      id: number
    }
  const topic = await post('/topics', { name: 'bench' })
  const hot = await post('/documents', { title: 'hot' })
  // per target and path: a warm-up call and the rounds at each delay, and 7 calls while counting
  const needed = (options.rtts.length * (options.rounds * options.calls + 1) + 8) * targetsPerVersion * 2
  options.progress(`creating ${needed} documents to read once each, for ${through.version}…`)
  const fresh: number[] = []
  while (fresh.length < needed) fresh.push((await post('/documents', { title: 'read once' })).id)
  return { hot: hot.id, topic: topic.id, fresh }
}

/** The paths, each over the rows of the target's version. */
function pathsOver(rows: Map<Target['version'], Rows>): Path[] {
  const of = (target: Target) => rows.get(target.version) as Rows
  const next = (target: Target) => {
    const id = of(target).fresh.pop()
    if (id === undefined) throw new Error('the bench ran out of fresh documents')
    return id
  }
  let serial = 0
  return [
    {
      name: 'memory hit: GET /documents/:id',
      send: async (t) => t.request(`/documents/${of(t).hot}`, { headers: await headers() }),
      prime: true,
    },
    {
      name: 'Redis hit: GET /documents/:id',
      send: async (t) => t.redisOnly(`/documents/${of(t).hot}`, { headers: await headers() }),
    },
    {
      name: 'miss: GET /documents/:id',
      send: async (t) => t.request(`/documents/${next(t)}`, { headers: await headers() }),
    },
    {
      name: 'write: POST /documents (topics, summary, Idempotency-Key)',
      send: async (t) =>
        t.request('/documents', {
          method: 'POST',
          headers: await headers({ ...JSON_BODY, 'idempotency-key': `bench-${Date.now()}-${serial++}` }),
          body: JSON.stringify({ title: 'bench write', topicIds: [of(t).topic], summary: 'a summary' }),
        }),
    },
    {
      name: 'list: GET /documents (miss)',
      send: async (t) => t.request(`/documents?q=${serial++}-${Date.now()}`, { headers: await headers() }),
    },
    {
      name: 'related: GET /documents/:id/related (miss)',
      send: async (t) => t.request(`/documents/${next(t)}/related`, { headers: await headers() }),
    },
  ]
}

async function send(path: Path, target: Target): Promise<void> {
  const response = await path.send(target)
  if (response.status >= 400) {
    throw new Error(
      `${path.name} on ${target.runtime} ${target.version} answered ${response.status}: ${await response.text()}`,
    )
  }
  await response.arrayBuffer()
}

async function ok(response: Promise<Response>): Promise<unknown> {
  const answer = await response
  if (answer.status >= 400) throw new Error(`seeding answered ${answer.status}: ${await answer.text()}`)
  return answer.json()
}

/** Round trips per call at no delay, counted by the proxies, everything settled in between. */
async function countRoundTrips(
  paths: Path[],
  targets: Target[],
  proxies: { postgres: DelayProxy; redis: DelayProxy },
  record: (path: Path, target: Target, trips: { postgresTrips: number; redisTrips: number }) => void,
) {
  const calls = 6
  for (const path of paths) {
    for (const target of targets) {
      await send(path, target) // the state the path is measured in
      await target.settle()
      proxies.postgres.resetRoundTrips()
      proxies.redis.resetRoundTrips()
      for (let i = 0; i < calls; i++) {
        await send(path, target)
        await target.settle()
      }
      record(path, target, {
        postgresTrips: proxies.postgres.roundTrips() / calls,
        redisTrips: proxies.redis.roundTrips() / calls,
      })
    }
  }
}
