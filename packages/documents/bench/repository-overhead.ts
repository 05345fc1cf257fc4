/**
 * `npm run bench:repository`: what the repository layer costs over the same
 * query written with Kysely by hand, and what row-level security costs.
 *
 * Postgres is reached through the Neon driver and the local stand-in, which
 * runs in a child process so that this process's CPU time is the client's
 * alone: driver, Kysely, and the repository layer. Paths run interleaved
 * (A B C D, A B C D, …) and each figure is the median of the rounds.
 *
 *   BENCH_DATABASE_URL  a Postgres to create a scratch database on (default local)
 *   BENCH_ROUNDS  default 5;  BENCH_CALLS per round and path, default 300
 */

import { createDocumentsFactory, type DB, documentsMigrations } from '@serverless-dal/documents'
import {
  createDatabase,
  type DatabaseConfig,
  type DatabaseLifetime,
  migrateToLatest,
  silentLogger,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { nodeHmacSigner } from '@serverless-dal/repository/node'
import { type Kysely, sql } from 'kysely'
import { instantDatabase } from './instant-driver.ts'
import { median, startBenchServices } from './local-services.ts'

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const calls = Number(process.env.BENCH_CALLS ?? 300)
const orgId = 'bench-org'

const services = await startBenchServices(adminUrl)

try {
  const config: DatabaseConfig = {
    driver: 'neon-pool',
    connectionString: services.databaseUrl,
    proxy: { webSocketUrl: services.env.NEON_WS_PROXY as string },
  }
  const raw = createDatabase<DB>(config, { drivers: [neonDrivers] })
  await migrateToLatest(raw.db, documentsMigrations)
  const withRls = repositories(config, true)
  const withoutRls = repositories(config, false)
  const docs = await withRls.documents.createMany(
    Array.from({ length: 100 }, (_, i) => ({ title: `doc ${i}`, body: 'x'.repeat(500) })),
  )
  await withRls.documents.createMany(Array.from({ length: 100 }, (_, i) => ({ title: `more ${i}` })))
  const id = docs[50]?.id as number

  const { byId: byIdRaw, page: pageRaw, inTenantTransaction } = handWritten(raw.db, id)

  const suites = {
    findById: {
      'raw Kysely': () => byIdRaw(raw.db),
      'repository, RLS off': () => withoutRls.documents.findById(id),
      'raw Kysely in a tenant transaction': () => inTenantTransaction(byIdRaw),
      'repository, RLS on': () => withRls.documents.findById(id),
    },
    'findMany (20 rows)': {
      'raw Kysely': () => pageRaw(raw.db),
      'repository, RLS off': () => withoutRls.documents.findMany(),
      'raw Kysely in a tenant transaction': () => inTenantTransaction(pageRaw),
      'repository, RLS on': () => withRls.documents.findMany(),
    },
  }

  const lines: string[] = []
  /** End-to-end CPU per raw call, by operation and RLS, to put the layer's cost in proportion. */
  const endToEnd: Record<string, number> = {}
  for (const [suite, paths] of Object.entries(suites)) {
    const samples: Record<string, Array<{ cpuUs: number; wallMs: number }>> = {}
    for (const run of Object.values(paths)) for (let i = 0; i < 20; i++) await run() // warm up
    for (let round = 1; round <= rounds; round++) {
      for (const [name, run] of Object.entries(paths)) {
        process.stderr.write(`\r${suite}: round ${round}/${rounds}, ${name}`.padEnd(70))
        const cpu = process.cpuUsage()
        const started = performance.now()
        for (let i = 0; i < calls; i++) await run()
        const used = process.cpuUsage(cpu)
        const sample = { cpuUs: (used.user + used.system) / calls, wallMs: (performance.now() - started) / calls }
        samples[name] = [...(samples[name] ?? []), sample]
      }
    }
    process.stderr.write(`\r${' '.repeat(70)}\r`)
    const med = (name: string, key: 'cpuUs' | 'wallMs') => median((samples[name] ?? []).map((s) => s[key]))
    const operation = suite.startsWith('findById') ? 'findById' : 'findMany'
    endToEnd[`${operation}, RLS off`] = med('raw Kysely', 'cpuUs')
    endToEnd[`${operation}, RLS on`] = med('raw Kysely in a tenant transaction', 'cpuUs')
    lines.push(
      `\n### ${suite}\n`,
      '| path | CPU µs / call | wall ms / call | CPU vs its raw Kysely |',
      '| --- | ---: | ---: | ---: |',
    )
    for (const name of Object.keys(paths)) {
      const baseline =
        name.includes('RLS on') || name.includes('tenant transaction')
          ? 'raw Kysely in a tenant transaction'
          : 'raw Kysely'
      lines.push(
        `| ${name} | ${med(name, 'cpuUs').toFixed(0)} | ${med(name, 'wallMs').toFixed(2)} | ${(med(name, 'cpuUs') / med(baseline, 'cpuUs')).toFixed(2)}× |`,
      )
    }
    lines.push(
      `\nRLS on / off for the repository: ${(med('repository, RLS on', 'cpuUs') / med('repository, RLS off', 'cpuUs')).toFixed(2)}× CPU, ` +
        `${(med('repository, RLS on', 'wallMs') / med('repository, RLS off', 'wallMs')).toFixed(2)}× wall time (4 round trips instead of 1)`,
    )
  }
  console.log(
    `Neon driver → local stand-in (child process) → Postgres; median of ${rounds} interleaved rounds of ${calls} calls`,
  )
  console.log(lines.join('\n'))
  console.log(await layerOnly(await raw.db.selectFrom('documents').selectAll().limit(21).execute(), endToEnd))
  await raw.dispose()
  await Promise.all([withRls.dispose(), withoutRls.dispose()])
} finally {
  await services.stop()
}
process.exit(0)

/**
 * The same comparison with a driver that answers at once: what remains is the
 * CPU of Kysely and of the repository layer, without the noise of I/O.
 */
async function layerOnly(rows: Record<string, unknown>[], endToEnd: Record<string, number>): Promise<string> {
  const database = instantDatabase(rows)
  const db = database.db
  const lifetime: DatabaseLifetime = {
    lease: () => ({ database, release: async () => {} }),
    dispose: async () => {},
  }
  const off = repositories(lifetime, false)
  const on = repositories(lifetime, true)
  const id = rows[0]?.id as number
  const { byId, page, inTenantTransaction: tenant } = handWritten(db, id)
  const pairs: Record<string, [() => Promise<unknown>, () => Promise<unknown>]> = {
    'findById, RLS off': [() => byId(db), () => off.documents.findById(id)],
    'findById, RLS on': [() => tenant(byId), () => on.documents.findById(id)],
    'findMany, RLS off': [() => page(db), () => off.documents.findMany()],
    'findMany, RLS on': [() => tenant(page), () => on.documents.findMany()],
  }
  const n = 5000
  const cpuPerCall = async (run: () => Promise<unknown>) => {
    const start = process.cpuUsage()
    for (let i = 0; i < n; i++) await run()
    const used = process.cpuUsage(start)
    return (used.user + used.system) / n
  }
  const out = [
    `\n### CPU of the layer alone (a driver that answers at once; median of ${rounds} interleaved rounds of ${n} calls)\n`,
    '| operation | raw Kysely µs | repository µs | added µs | added / end-to-end raw call CPU |',
    '| --- | ---: | ---: | ---: | ---: |',
  ]
  for (const [name, [raw, repository]] of Object.entries(pairs)) {
    for (let i = 0; i < 500; i++) await Promise.all([raw(), repository()])
    const rawSamples: number[] = []
    const repositorySamples: number[] = []
    for (let round = 0; round < rounds; round++) {
      rawSamples.push(await cpuPerCall(raw))
      repositorySamples.push(await cpuPerCall(repository))
    }
    const [a, b] = [median(rawSamples), median(repositorySamples)]
    const share = (100 * (b - a)) / (endToEnd[name] ?? Number.NaN)
    out.push(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b - a).toFixed(1)} | ${share.toFixed(1)}% |`)
  }
  out.push(
    '\nThe goal is at most 10% over the same query through Kysely; the last column is the added CPU as a share of',
    'one real call (driver, WebSocket, Kysely) measured above, which is where that goal applies.',
  )
  return out.join('\n')
}

function repositories(database: DatabaseConfig | DatabaseLifetime, rowLevelSecurity: boolean) {
  return createDocumentsFactory({
    database,
    drivers: [neonDrivers],
    rowLevelSecurity,
    cache: false, // the repository layer itself; npm run bench:cache measures the cache
    cursorSigner: nodeHmacSigner('bench-cursor-secret-123'),
    logger: silentLogger,
  }).forTenant({ orgId, role: 'editor' })
}

/** The same reads written with Kysely by hand: the baselines. */
function handWritten(db: Kysely<DB>, id: number) {
  const byId = (k: Kysely<DB>) =>
    k
      .selectFrom('documents')
      .selectAll()
      .where('organizationId', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  const page = (k: Kysely<DB>) =>
    k
      .selectFrom('documents')
      .selectAll()
      .where('organizationId', '=', orgId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(21)
      .execute()
  /** What RLS asks of a hand-written read: a read-only transaction that sets the tenant first. */
  const inTenantTransaction = <T>(work: (k: Kysely<DB>) => Promise<T>) =>
    db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        await sql`select set_config('app.organization_id', ${orgId}, true),
          set_config('statement_timeout', '10000', true), set_config('role', 'dal_app', true)`.execute(trx)
        return work(trx)
      })
  return { byId, page, inTenantTransaction }
}
