/** The latency benchmark's settings from the environment (see `infra/bench/latency.ts`). */
import type { LatencyOptions } from './latency-bench.ts'

/** main before the round-trip work (issue 13): the "before" of the committed figures. */
export const DEFAULT_BEFORE_REF = '544dadb'

export function latencyOptionsFromEnv(env = process.env): LatencyOptions {
  const rtts = (env.BENCH_RTTS ?? '0,5,20').split(',').map(Number)
  if (rtts.some((rtt) => !Number.isFinite(rtt) || rtt < 0) || !rtts.includes(0)) {
    throw new Error('BENCH_RTTS is a list of round-trip times in ms that includes 0, e.g. 0,5,20')
  }
  return {
    rtts,
    rounds: Math.max(3, Number(env.BENCH_ROUNDS ?? 5)),
    calls: Math.max(1, Number(env.BENCH_LATENCY_CALLS ?? 3)),
    beforeRef: env.BENCH_BEFORE_REF ?? DEFAULT_BEFORE_REF,
    adminUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    progress: (text) => process.stderr.write(`\r${text}`.slice(0, 110).padEnd(110)),
  }
}
