/**
 * `npm run bench:latency`: the round-trip benchmark alone (`npm run bench`
 * runs it too and writes it into docs/benchmarks.md). Prints its section.
 *
 *   BENCH_RTTS          round-trip times in ms (default 0,5,20)
 *   BENCH_ROUNDS        default 5;  BENCH_LATENCY_CALLS per round, default 3
 *   BENCH_BEFORE_REF    the "before" git ref (default 544dadb: main before the round-trip work)
 *   BENCH_DATABASE_URL  an admin URL of the Postgres to use;  BENCH_REDIS_URL the Redis
 */

import { runLatencyBench } from './latency/latency-bench.ts'
import { latencyMarkdown } from './latency/latency-report.ts'
import { latencyOptionsFromEnv } from './latency/options.ts'

const options = latencyOptionsFromEnv()
const figures = await runLatencyBench(options)
process.stderr.write(`\r${' '.repeat(110)}\r`)
console.log(latencyMarkdown(figures, options.rtts, options.beforeRef))
process.exit(0)
