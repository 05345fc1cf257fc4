/**
 * `npm run bench:metrics`: the CPU metrics add to a request, on against off.
 *
 * A request here is what a handler does: open a tenant scope, `findById`,
 * `findMany`, end the scope, flush the invocation (two EMF lines: one per
 * operation). "Off" is the default factory (no sink: nothing recorded, slow
 * statements still watched); "recorded" measures and aggregates but its sink
 * drops the batch (the package's own share); "on" publishes every invocation
 * as EMF, through Powertools (what Lambda runs) or through the package's own
 * EmfMetricsSink (what Workers and Node run). The EMF lines are built and
 * serialized as in production; only the final write to stdout is swallowed
 * (counted) so the report stays readable.
 *
 * Two settings: end to end (Neon driver → local stand-in in a child process →
 * Postgres), and the layer alone (a driver that answers at once, so the
 * ratio is of CPU with no I/O at all: the worst case for metrics' share).
 * Requests of the paths take turns one by one, each timed on its own; a ratio
 * is the median of the per-round ratios (this machine's CPU time drifts by
 * ±20% between rounds of a few hundred ms; taking turns cancels that).
 *
 *   BENCH_DATABASE_URL  a Postgres to create a scratch database on (default local)
 *   BENCH_ROUNDS  default 16;  BENCH_REQUESTS per round and path, default 200
 */

import { createDocumentsFactory, type DocumentsFactory, documentsMigrations } from '@serverless-dal/documents'
import {
  type DatabaseConfig,
  type DatabaseLifetime,
  EmfMetricsSink,
  type MetricsSink,
  migrateToLatest,
  RepositoryMetrics,
  silentLogger,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { nodeHmacSigner } from '@serverless-dal/repository/node'
import { PowertoolsMetricsSink } from '@serverless-dal/repository/powertools'
import { instantDatabase } from './instant-driver.ts'
import { median, startBenchServices } from './local-services.ts'

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 16)
const requests = Number(process.env.BENCH_REQUESTS ?? 200)
const scope = { orgId: 'bench-metrics', role: 'editor' } as const

/** The EMF bytes Powertools wrote during measurement, instead of the terminal. */
let emfBytes = 0
const stdoutWrite = process.stdout.write.bind(process.stdout)
function swallowStdout(on: boolean) {
  process.stdout.write = on
    ? (((chunk: string | Uint8Array) => {
        emfBytes += chunk.length
        return true
      }) as typeof process.stdout.write)
    : stdoutWrite
}

/** The paths compared; the first is the baseline. */
const PATHS = [
  'metrics off',
  'metrics recorded, sink discards',
  'metrics on (Powertools EMF: Lambda)',
  'metrics on (EmfMetricsSink: Workers, Node)',
] as const
type Path = (typeof PATHS)[number]

function factories(database: DatabaseConfig | DatabaseLifetime): Record<Path, DocumentsFactory> {
  const common = {
    database,
    drivers: [neonDrivers],
    cache: false as const, // every request reaches the driver: the cache is measured by bench:cache
    cursorSigner: nodeHmacSigner('bench-cursor-secret-123'),
    logger: silentLogger,
  }
  const withSink = (sink: MetricsSink) =>
    createDocumentsFactory({ ...common, metrics: new RepositoryMetrics({ sink, logger: silentLogger }) })
  return {
    'metrics off': createDocumentsFactory(common),
    'metrics recorded, sink discards': withSink({ publish: () => {} }),
    'metrics on (Powertools EMF: Lambda)': withSink(
      new PowertoolsMetricsSink({ namespace: 'ServerlessDalBench', serviceName: 'bench' }),
    ),
    'metrics on (EmfMetricsSink: Workers, Node)': withSink(
      new EmfMetricsSink({ namespace: 'ServerlessDalBench', serviceName: 'bench' }),
    ),
  }
}

async function request(factory: DocumentsFactory, id: number): Promise<void> {
  const repos = factory.forTenant(scope)
  try {
    await repos.documents.findById(id)
    await repos.documents.findMany({}, { limit: 20 })
  } finally {
    await repos.dispose() // flushes the scope's invocation
  }
}

/**
 * Requests of the paths take turns one by one (the order rotating), each
 * timed on its own, so drift, GC and JIT hit every path alike.
 */
async function compare(label: string, paths: Record<Path, DocumentsFactory>, id: number, perRound: number) {
  const perRoundCpu = Object.fromEntries(PATHS.map((path) => [path, [] as number[]])) as Record<Path, number[]>
  swallowStdout(true)
  for (const factory of Object.values(paths)) for (let i = 0; i < 500; i++) await request(factory, id) // warm up
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`\r${label}: round ${round}/${rounds}`.padEnd(90))
    const totals = Object.fromEntries(PATHS.map((path) => [path, 0])) as Record<Path, number>
    for (let i = 0; i < perRound; i++) {
      for (let turn = 0; turn < PATHS.length; turn++) {
        const path = PATHS[(i + turn) % PATHS.length] as Path
        const cpu = process.cpuUsage()
        await request(paths[path], id)
        const used = process.cpuUsage(cpu)
        totals[path] += used.user + used.system
      }
    }
    for (const path of PATHS) perRoundCpu[path].push(totals[path] / perRound)
  }
  swallowStdout(false)
  process.stderr.write(`\r${' '.repeat(90)}\r`)
  const baseline = perRoundCpu['metrics off']
  const lines = [
    `\n### ${label}: ${rounds} rounds of ${perRound} requests per path, taking turns request by request\n`,
    '| path | CPU µs / request (median round) | vs metrics off (median of per-round ratios) | per-round ratios |',
    '| --- | ---: | ---: | ---: |',
  ]
  for (const path of PATHS) {
    const ratios = perRoundCpu[path].map((value, i) => value / (baseline[i] as number))
    lines.push(
      `| ${path} | ${median(perRoundCpu[path]).toFixed(0)} | ${median(ratios).toFixed(3)}× | ` +
        `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} |`,
    )
  }
  return lines.join('\n')
}

const services = await startBenchServices(adminUrl)
try {
  const config: DatabaseConfig = {
    driver: 'neon-pool',
    connectionString: services.databaseUrl,
    proxy: { webSocketUrl: services.env.NEON_WS_PROXY as string },
  }
  const endToEnd = factories(config)
  const setup = endToEnd['metrics off']
  await migrateToLatest(setup.forTenant(scope).db, documentsMigrations)
  const seeded = await setup
    .forTenant(scope)
    .documents.createMany(Array.from({ length: 40 }, (_, i) => ({ title: `doc ${i}`, body: 'x'.repeat(300) })))
  const id = seeded[0]?.id as number
  const rows = await setup.forTenant(scope).db.selectFrom('documents').selectAll().limit(21).execute()

  const report = [await compare('End to end (Neon driver → stand-in → Postgres, RLS on)', endToEnd, id, requests)]
  const database = instantDatabase(rows as unknown as Record<string, unknown>[])
  const instant: DatabaseLifetime = {
    lease: () => ({ database, release: async () => {} }),
    dispose: async () => {},
  }
  report.push(await compare('The layer alone (instant driver, no I/O)', factories(instant), id, requests * 4))
  report.push(
    '\nThe goal (≤ 5% more CPU per request) applies end to end. The layer-alone figures are the ceiling:',
    'what metrics would cost if the database answered in no time. Each request prints two EMF lines; the',
    'difference between "recorded" and "on" is what Powertools spends building and serializing them.',
  )
  console.log(report.join('\n'))
  console.log(`\n(${(emfBytes / 1024).toFixed(0)} KB of EMF serialized and swallowed during the runs)`)
  await Promise.all(Object.values(endToEnd).map((factory) => factory.dispose()))
} finally {
  await services.stop()
}
process.exit(0)
