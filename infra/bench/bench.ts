/**
 * `npm run bench`: the documents API path by path, side by side with a raw
 * Kysely baseline and the peer (Drizzle ORM with its Upstash query cache),
 * against one Postgres (through the Neon driver and the local stand-in) and
 * one Redis (through the local Upstash bridge); then round trips per
 * operation; then issue 18's figures for a baseline ref and this tree
 * (`goals/`: bundle sizes, module init in Node and workerd, requests/s of a
 * memory hit against /ping, metrics on vs off); then round trips as time,
 * before and after, on Node and in workerd (`latency/`). Writes
 * docs/benchmarks.md, docs/benchmarks-latency.svg,
 * docs/benchmarks-goals.svg and docs/benchmarks-round-trips.svg.
 *
 * Paths run interleaved (A B C …, A B C …), BENCH_ROUNDS rounds (default 7,
 * at least 5) of BENCH_CALLS sequential calls (default 150); figures are the
 * medians of the per-round means. Everything runs in this process, so the
 * latency includes the stand-ins' share, the same for every path.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { type DB, documentsMigrations } from '@serverless-dal/documents'
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import { createService } from '@serverless-dal/documents-api/service.ts'
import { startNeonStandIn, startUpstashBridge } from '@serverless-dal/local-services'
import {
  createDatabase,
  type DatabaseConfig,
  migrateToLatest,
  perProcessLifetime,
  type RedisLike,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { Redis } from '@upstash/redis'
import { admin, median } from '../../packages/documents/bench/local-services.ts'
import { goalsOptionsFromEnv, runGoalsBench } from './goals/goals-bench.ts'
import { goalsChart, goalsMarkdown } from './goals/goals-report.ts'
import { runLatencyBench } from './latency/latency-bench.ts'
import { latencyChart, latencyMarkdown } from './latency/latency-report.ts'
import { latencyOptionsFromEnv } from './latency/options.ts'
import { drizzlePeer } from './peer-drizzle.ts'
import { type Bar, barChart } from './svg-chart.ts'

const benchStarted = performance.now()
const rounds = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 7))
const calls = Number(process.env.BENCH_CALLS ?? 150)
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const root = new URL('../..', import.meta.url).pathname
const org = 'bench'
const secret = 'bench-jwt-secret-0123456789abcdef'
const progress = (text: string) => process.stderr.write(`\r${text}`.padEnd(100))

// --- what it needs ------------------------------------------------------------------
progress('starting Postgres scratch database, Neon stand-in, Upstash bridge…')
const name = `dal_bench_${Date.now().toString(36)}`
await admin(adminUrl, `create database ${name}`)
const url = new URL(adminUrl)
url.pathname = `/${name}`
const neon = await startNeonStandIn({ upstreamUrl: url.href })
const bridge = await startUpstashBridge({ redisUrl, token: 'bench' })
const config: DatabaseConfig = {
  driver: 'neon-pool',
  connectionString: url.href,
  proxy: { webSocketUrl: neon.webSocketUrl },
}

let roundTrips = 0
const drivers = [neonDrivers]
const lifetime = perProcessLifetime(config, {
  drivers,
  onRoundTrip: () => {
    roundTrips += 1
  },
})
await migrateToLatest(lifetime.lease().database.db, documentsMigrations)
const raw = createDatabase<DB>(config, { drivers })
const upstash = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false })
const redis: RedisLike = upstash
const namespace = `bench-${Date.now().toString(36)}`
const env = { POWERTOOLS_METRICS_DISABLED: 'true', CACHE_NAMESPACE: namespace }
const api = createService({ env, runtime: 'node', databases: lifetime, jwtSecret: secret, redis })
const redisOnly = createService({
  env: { ...env, CACHE_MEMORY: 'off' },
  runtime: 'node',
  databases: lifetime,
  jwtSecret: secret,
  redis,
})
const peer = drizzlePeer(url.href, { url: bridge.url, token: bridge.token })
await peer.clearCache(upstash)

progress('seeding…')
const seedScope = api.factory.forTenant({ orgId: org, role: 'editor' })
const ids: number[] = []
for (let batch = 0; batch < 12; batch++) {
  const docs = await seedScope.documents.createMany(
    Array.from({ length: 100 }, (_, i) => ({
      title: `doc ${batch}-${i}`,
      body: 'x'.repeat(400),
      status: 'published' as const,
    })),
  )
  ids.push(...docs.map((doc) => doc.id))
}
await seedScope.dispose()
const hot = ids[0] as number
const fresh = ids.slice(1) // each read once, by the miss path
const auth = { authorization: `Bearer ${await signToken(secret, { org, role: 'editor' })}` }
const json = { ...auth, 'content-type': 'application/json' }
const drain = async (response: Response | Promise<Response>) => {
  const r = await response
  if (r.status >= 400) throw new Error(`${r.url} answered ${r.status}`)
  await r.arrayBuffer()
}

// --- the paths ----------------------------------------------------------------------
interface Path {
  name: string
  group: Bar['group']
  run: () => Promise<unknown>
}
const paths: Path[] = [
  { name: 'bare route: GET /ping', group: 'baseline', run: () => drain(api.app.request('/ping')) },
  {
    name: 'memory hit: GET /documents/:id',
    group: 'ours',
    run: () => drain(api.app.request(`/documents/${hot}`, { headers: auth })),
  },
  {
    name: 'memory hit: GET /documents (list)',
    group: 'ours',
    run: () => drain(api.app.request('/documents?status=published', { headers: auth })),
  },
  {
    name: 'Redis hit: GET /documents/:id',
    group: 'ours',
    run: () => drain(redisOnly.app.request(`/documents/${hot}`, { headers: auth })),
  },
  {
    name: 'Redis hit: GET /documents (list)',
    group: 'ours',
    run: () => drain(redisOnly.app.request('/documents?status=published', { headers: auth })),
  },
  {
    name: 'miss: GET /documents/:id, first read',
    group: 'ours',
    run: () => drain(redisOnly.app.request(`/documents/${fresh.shift() ?? hot}`, { headers: auth })),
  },
  {
    name: 'write: POST /documents',
    group: 'ours',
    run: () => drain(api.app.request('/documents', { method: 'POST', headers: json, body: '{"title":"bench write"}' })),
  },
  {
    name: 'raw Kysely: findById, no cache',
    group: 'baseline',
    run: () =>
      raw.db
        .selectFrom('documents')
        .selectAll()
        .where('organizationId', '=', org)
        .where('id', '=', hot)
        .executeTakeFirstOrThrow(),
  },
  { name: 'Drizzle + Upstash cache: findById (hit)', group: 'peer', run: () => peer.findById(org, hot) },
  { name: 'Drizzle + Upstash cache: list (hit)', group: 'peer', run: () => peer.list(org) },
  { name: 'Drizzle: findById, no cache', group: 'peer', run: () => peer.findById(org, hot, false) },
]
const needed = rounds * calls + 50
if (fresh.length < needed) {
  const more = api.factory.forTenant({ orgId: org, role: 'editor' })
  while (fresh.length < needed) {
    const docs = await more.documents.createMany(
      Array.from({ length: 100 }, (_, i) => ({ title: `more ${i}`, body: 'y'.repeat(400) })),
    )
    fresh.push(...docs.map((doc) => doc.id))
  }
  await more.dispose()
}

for (const path of paths) for (let i = 0; i < 20; i++) await path.run() // warm up: caches filled, JIT warm
const samples = new Map<string, number[]>(paths.map((path) => [path.name, []]))
for (let round = 1; round <= rounds; round++) {
  for (const path of paths) {
    progress(`round ${round}/${rounds}: ${path.name}`)
    const started = performance.now()
    for (let i = 0; i < calls; i++) await path.run()
    samples.get(path.name)?.push((performance.now() - started) / calls)
  }
}
progress('counting round trips…')
const latency = new Map(paths.map((path) => [path.name, median(samples.get(path.name) ?? [])]))

// --- round trips per operation --------------------------------------------------------
const redisRequests = () => Object.values(bridge.requestCounts()).reduce((sum, n) => sum + n, 0)
const trips: Array<{ name: string; database: number; redis: number }> = []
const settle = async () => {
  await api.factory.cache?.idle()
  await redisOnly.factory.cache?.idle()
  await new Promise((resolve) => setTimeout(resolve, 30)) // deferred stores and auto-pipelined batches land
}
for (const path of paths.filter((p) => p.group !== 'baseline')) {
  await path.run() // the state the path is measured in (a write since may have invalidated a list)
  await settle()
  const [db0, peer0, redis0] = [roundTrips, peer.queries(), redisRequests()]
  for (let i = 0; i < 10; i++) {
    await path.run()
    await settle()
  }
  const per = (n: number) => n / 10
  trips.push({
    name: path.name,
    database: per(roundTrips - db0 + (peer.queries() - peer0)),
    redis: per(redisRequests() - redis0),
  })
}

process.stderr.write(`\r${' '.repeat(100)}\r`)

// --- the report -----------------------------------------------------------------------
const ms = (name: string) => latency.get(name) as number
const lines = [
  '# Benchmarks',
  '',
  '## Paths, side by side with raw Kysely and the peer',
  '',
  `${rounds} interleaved rounds of ${calls} sequential calls per path, medians of the per-round means. One process: the documents API in-process (\`app.request\`, as the Node entry builds it; metrics off), Postgres 15 through the Neon serverless driver and the local stand-in, Redis 7 through the local Upstash bridge and \`@upstash/redis\`. The peer is Drizzle ORM ${'0.45'} with its Upstash query cache (\`$withCache()\`) on the same driver, Postgres and bridge.`,
  '',
  '![latency by path](benchmarks-latency.svg)',
  '',
  '| path | ms per call | vs raw Kysely |',
  '| --- | ---: | ---: |',
  ...paths.map(
    (path) =>
      `| ${path.name} | ${ms(path.name).toFixed(3)} | ${(ms(path.name) / ms('raw Kysely: findById, no cache')).toFixed(2)}× |`,
  ),
  '',
  '## Side by side with the peer',
  '',
  `- find by id, cached: ours from memory ${ms('memory hit: GET /documents/:id').toFixed(3)} ms (the whole HTTP route, auth and validation included) and from Redis ${ms('Redis hit: GET /documents/:id').toFixed(3)} ms, against Drizzle's cache hit ${ms('Drizzle + Upstash cache: findById (hit)').toFixed(3)} ms (the query alone): ${(ms('Drizzle + Upstash cache: findById (hit)') / ms('memory hit: GET /documents/:id')).toFixed(2)}× and ${(ms('Drizzle + Upstash cache: findById (hit)') / ms('Redis hit: GET /documents/:id')).toFixed(2)}× ours.`,
  `- list, cached: ours from memory ${ms('memory hit: GET /documents (list)').toFixed(3)} ms and from Redis ${ms('Redis hit: GET /documents (list)').toFixed(3)} ms, against Drizzle's ${ms('Drizzle + Upstash cache: list (hit)').toFixed(3)} ms.`,
  `- Drizzle's Upstash cache stores with \`HSET\` then \`HEXPIRE\` (Redis 7.4+). This machine's Redis is 7.0: a miss's store fails after the \`HSET\` landed and rejects the query (${peer.hexpireFailures()} times in this run, all during the warm-up; the bench tolerates exactly that error). Later calls hit the stored entry, so its hit path — what is measured — is unaffected; on Upstash itself the store works.`,
  "- Drizzle's cache invalidates by table: any write to `documents` drops every cached query on it, for every tenant. Ours invalidates by tag generations per organization, and the memory tier answers without a network round trip.",
  '',
  '## Round trips per operation',
  '',
  'Per call, over 10 calls after one that sets the state: round trips to Postgres (a read sends the tenant settings and its query together, a write its one statement with them; for the peer, its queries) and HTTP requests to the Upstash bridge (`@upstash/redis` may pipeline several commands into one; one read in ten also records its hot key). The section below counts them with time.',
  '',
  '| path | Postgres round trips | Redis requests |',
  '| --- | ---: | ---: |',
  ...trips.map((t) => `| ${t.name} | ${t.database.toFixed(1)} | ${t.redis.toFixed(1)} |`),
  '',
]
await api.factory.dispose()
await redisOnly.factory.dispose()
await raw.dispose()
await peer.clearCache(upstash)
await peer.close()
await lifetime.dispose()
await bridge.close()
await neon.close()
await admin(adminUrl, `drop database if exists ${name} with (force)`)

// --- issue 18's goals: baseline and now, each tree built and run by its own scripts ---------
const goalsOptions = { ...goalsOptionsFromEnv(), adminUrl, progress }
const goalFigures = await runGoalsBench(goalsOptions)

// --- round trips as time: before and after, Node and workerd -----------------------------
const latencyOptions = { ...latencyOptionsFromEnv(), adminUrl, redisUrl, progress }
const asTime = await runLatencyBench(latencyOptions)
process.stderr.write(`\r${' '.repeat(110)}\r`)
lines.push(latencyMarkdown(asTime, latencyOptions.rtts, latencyOptions.beforeRef))

// first what the run is, then issue 18's goals (what a reader looks for), then the paths
const took = Math.round((performance.now() - benchStarted) / 60_000)
lines.splice(
  1,
  0,
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, on ${machine()}, in ${took} minutes.`,
  '',
  goalsMarkdown(goalFigures).trimEnd(),
)
mkdirSync(join(root, 'docs'), { recursive: true })
writeFileSync(join(root, 'docs/benchmarks.md'), lines.join('\n'))
const bars = paths.map((path) => ({ label: path.name, value: ms(path.name), group: path.group }))
writeFileSync(join(root, 'docs/benchmarks-latency.svg'), barChart('Latency by path (ms per call, median)', 'ms', bars))
writeFileSync(join(root, 'docs/benchmarks-round-trips.svg'), latencyChart(asTime, latencyOptions.rtts))
writeFileSync(join(root, 'docs/benchmarks-goals.svg'), goalsChart(goalFigures))
console.log(lines.join('\n'))
process.stderr.write(`npm run bench took ${Math.round((performance.now() - benchStarted) / 1000)} s\n`)
process.exit(0)

/** This machine, as a reader comparing figures needs it. */
function machine(): string {
  const cpus = os.cpus()
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`
}
