/**
 * `npm run bench:cache`: a findById answered by each path of the cache —
 * memory hit, Redis hit, miss — next to the same query with Kysely and no
 * cache, with the round trips each one makes, counted. Postgres through the
 * Neon driver and Redis through the Upstash bridge, both in a child process.
 * Then the Redis lookup alone (issue 19, `lookup-script.ts`): the plain MGET
 * against the leased lookup's script (`EVALSHA` of `LEASE_LOOKUP`), for a
 * hit, a miss that takes the lease and a 256 KiB hit, in µs per call.
 *
 *   BENCH_DATABASE_URL  a Postgres to create a scratch database on (default local)
 *   BENCH_ROUNDS  default 5;  BENCH_CALLS per round and path, default 200
 */

import {
  createDocumentsFactory,
  type DB,
  type DocumentsFactoryConfig,
  documentsMigrations,
} from '@serverless-dal/documents'
import {
  createDatabase,
  type DatabaseConfig,
  migrateToLatest,
  type RedisLike,
  silentLogger,
} from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { nodeHmacSigner } from '@serverless-dal/repository/node'
import { Redis } from '@upstash/redis'
import type { Kysely, LogEvent } from 'kysely'
import { median, startBenchServices } from './local-services.ts'
import { benchLookupScript } from './lookup-script.ts'

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const calls = Number(process.env.BENCH_CALLS ?? 200)
// unique per run: a shared Redis may still hold entries of an earlier run's database
const orgId = `bench-cache-${Date.now()}`
const services = await startBenchServices(
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
)

/** Counts Redis requests (auto-pipelining off: one call, one HTTP round trip) and database statements. */
const counts = { redis: 0, statements: 0 }
function countedRedis(): RedisLike {
  const client: RedisLike = new Redis({
    url: services.env.UPSTASH_REDIS_REST_URL as string,
    token: services.env.UPSTASH_REDIS_REST_TOKEN as string,
    enableAutoPipelining: false,
    enableTelemetry: false,
  })
  const counted = <T>(call: () => Promise<T>) => {
    counts.redis += 1
    return call()
  }
  return {
    mget: (...keys) => counted(() => client.mget(...keys)),
    set: (key, value, options) => counted(() => client.set(key, value, options)),
    eval: (script, keys, args) => counted(() => client.eval(script, keys, args)),
  }
}

try {
  const database: DatabaseConfig = {
    driver: 'neon-pool',
    connectionString: services.databaseUrl,
    proxy: { webSocketUrl: services.env.NEON_WS_PROXY as string },
  }
  const onQuery = (event: LogEvent) => {
    if (event.level === 'query') counts.statements++
  }
  const drivers = [neonDrivers]
  const raw = createDatabase(database, { drivers, log: onQuery })
  await migrateToLatest(raw.db, documentsMigrations)
  const factory = (cache: DocumentsFactoryConfig['cache']) =>
    createDocumentsFactory({
      database,
      drivers,
      cache,
      onQuery,
      rowLevelSecurity: false, // one database round trip per miss, like the raw query
      cursorSigner: nodeHmacSigner('bench-cursor-secret-123'),
      logger: silentLogger,
    }).forTenant({ orgId, role: 'editor' })
  const memoryAndRedis = factory({ redis: countedRedis() })
  const redisOnly = factory({ redis: countedRedis(), memory: false })
  const docs = await memoryAndRedis.documents.createMany(Array.from({ length: 100 }, (_, i) => ({ title: `doc ${i}` })))
  const misses: number[] = []
  for (let i = 0; i < (rounds + 1) * calls; i += 100) {
    const batch = await memoryAndRedis.documents.createMany(
      Array.from({ length: 100 }, (_, j) => ({ title: `miss ${i + j}` })),
    )
    misses.push(...batch.map((d) => d.id))
  }
  const id = docs[0]?.id as number
  await memoryAndRedis.documents.findById(id) // into memory and Redis
  await redisOnly.documents.findById(id)

  const byIdRaw = (db: Kysely<DB>) =>
    db
      .selectFrom('documents')
      .selectAll()
      .where('organizationId', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  const missFactory = factory({ redis: countedRedis() })
  let next = 0
  const paths: Record<string, () => Promise<unknown>> = {
    'Kysely, no cache': () => byIdRaw(raw.db),
    'memory hit': () => memoryAndRedis.documents.findById(id),
    'Redis hit': () => redisOnly.documents.findById(id),
    'miss (Redis, database, deferred store)': () => missFactory.documents.findById(misses[next++] as number),
  }

  const samples: Record<string, number[]> = {}
  const trips: Record<string, { redis: number; statements: number }> = {}
  for (const [name, run] of Object.entries(paths))
    for (let i = 0; i < 10; i++) await (name.startsWith('miss') ? Promise.resolve() : run())
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of Object.entries(paths)) {
      process.stderr.write(`\rround ${round}/${rounds}: ${name}`.padEnd(70))
      const before = { ...counts }
      const latencies: number[] = []
      for (let i = 0; i < calls; i++) {
        const started = performance.now()
        await run()
        latencies.push(performance.now() - started)
      }
      samples[name] = [...(samples[name] ?? []), median(latencies)]
      trips[name] = {
        redis: (counts.redis - before.redis) / calls,
        statements: (counts.statements - before.statements) / calls,
      }
    }
  }
  process.stderr.write(`\r${' '.repeat(70)}\r`)
  const baseline = median(samples['Kysely, no cache'] ?? [])
  console.log(`findById, median of ${rounds} interleaved rounds of ${calls} calls (p50 per round)\n`)
  console.log('| path | p50 ms | vs Kysely | Redis requests / call | database statements / call |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const name of Object.keys(paths)) {
    const p50 = median(samples[name] ?? [])
    const { redis, statements } = trips[name] ?? { redis: 0, statements: 0 }
    console.log(
      `| ${name} | ${p50.toFixed(3)} | ${(p50 / baseline).toFixed(2)}× | ${redis.toFixed(2)} | ${statements.toFixed(2)} |`,
    )
  }
  console.log("\nA miss stores its entry after answering (one deferred request, counted in the next call's share).")
  await benchLookupScript(services.env, orgId, rounds, calls)
  await raw.dispose()
} finally {
  await services.stop()
}
process.exit(0)
