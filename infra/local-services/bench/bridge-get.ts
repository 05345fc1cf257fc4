/**
 * `npm run bench:bridge`: what the Upstash bridge costs. The same GET, through
 * the bridge with the real `@upstash/redis` client and straight to Redis over
 * one pipelined connection, interleaved (A B A B …) so both see the same
 * machine, then medians of the rounds and their ratio.
 *
 *   BENCH_REDIS_URL   default redis://127.0.0.1:6379
 *   BENCH_ROUNDS      default 5;  BENCH_REQUESTS per round and path, default 2000
 *   BENCH_CONCURRENCY requests in flight, default 8
 */
import { Redis } from '@upstash/redis'
import { startUpstashBridge } from '../src/upstash/bridge.ts'
import { RedisConnection } from '../src/upstash/redis-connection.ts'

const redisUrl = new URL(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379')
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const requests = Number(process.env.BENCH_REQUESTS ?? 2000)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8)
const key = 'bench:bridge:get'
const value = 'x'.repeat(256)

interface Trial {
  perSecond: number
  p50Ms: number
}

async function trial(get: () => Promise<unknown>): Promise<Trial> {
  const latencies: number[] = []
  let remaining = requests
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (remaining-- > 0) {
        const t0 = performance.now()
        const got = await get()
        latencies.push(performance.now() - t0)
        if (got !== value) throw new Error(`GET returned ${String(got).slice(0, 20)}`)
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  return { perSecond: requests / elapsed, p50Ms: median(latencies) }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

const direct = await RedisConnection.open({
  host: redisUrl.hostname,
  port: Number(redisUrl.port || 6379),
  connectTimeoutMs: 2000,
  commandTimeoutMs: 10_000,
})
const bridge = await startUpstashBridge({ redisUrl: redisUrl.href, token: 'bench' })
const client = new Redis({
  url: bridge.url,
  token: bridge.token,
  enableAutoPipelining: false,
  enableTelemetry: false,
  automaticDeserialization: false,
  retry: false,
})
await client.set(key, value)

const paths = {
  'GET via bridge (@upstash/redis)': () => client.get<string>(key),
  'GET straight to Redis (RESP)': async () => String((await direct.send([[Buffer.from('GET'), Buffer.from(key)]]))[0]),
}
const results: Record<string, Trial[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]))

for (const get of Object.values(paths)) await trial(get) // warm up both
for (let round = 1; round <= rounds; round++) {
  for (const [name, get] of Object.entries(paths)) {
    process.stderr.write(`\rround ${round}/${rounds}: ${name.padEnd(34)}`)
    results[name]?.push(await trial(get))
  }
}
process.stderr.write(`\r${' '.repeat(60)}\r`)

const rows = Object.entries(results).map(([name, trials]) => ({
  name,
  perSecond: median(trials.map((t) => t.perSecond)),
  p50Ms: median(trials.map((t) => t.p50Ms)),
}))
const [viaBridge, straight] = rows as [(typeof rows)[0], (typeof rows)[0]]
console.log(
  `\nGET of a ${value.length}-byte value, ${concurrency} in flight, median of ${rounds} interleaved rounds of ${requests}\n`,
)
console.log('| path | requests/s | p50 (ms) |')
console.log('| --- | ---: | ---: |')
for (const row of rows) console.log(`| ${row.name} | ${row.perSecond.toFixed(0)} | ${row.p50Ms.toFixed(3)} |`)
console.log(
  `\nbridge / straight: ${(viaBridge.perSecond / straight.perSecond).toFixed(2)}× the throughput, ` +
    `${(viaBridge.p50Ms / straight.p50Ms).toFixed(1)}× the p50 latency`,
)

await client.del(key)
direct.close()
await bridge.close()
