/**
 * The latency benchmark as a Markdown section and an SVG chart: for each
 * runtime and path, ms per call before and after at each round-trip time,
 * the round trips on the critical path that the growth implies, and the
 * round trips the proxies counted.
 */
import { type Bar, barChart } from '../svg-chart.ts'
import type { PathFigures } from './latency-bench.ts'

/** (ms at the largest RTT − ms at no delay) / RTT: the round trips a caller waits for. */
export function criticalRoundTrips(figures: PathFigures, rtts: number[]): number {
  const top = Math.max(...rtts)
  const base = figures.ms[0] ?? figures.ms[Math.min(...rtts)] ?? 0
  return top > 0 ? ((figures.ms[top] ?? 0) - base) / top : 0
}

export function latencyMarkdown(all: PathFigures[], rtts: number[], beforeRef: string): string {
  const top = Math.max(...rtts)
  const lines = [
    '## Round trips and latency',
    '',
    `Postgres and Redis behind a TCP delay (the stand-ins reach them through it), RLS on, default configuration, at a round-trip time of ${rtts.join(', ')} ms. "before" is \`${beforeRef}\` (main before this work), "after" this tree; both run in the same process (Node: \`app.request\` as \`npm start\` builds the service; workerd: the Worker bundle under Miniflare), taking turns. "waits for" is (ms at ${top} ms − ms at 0) / ${top}: the round trips a caller waits for. "trips" are counted by the delay proxies at no delay, per call, including work after the response (deferred cache stores).`,
    '',
  ]
  for (const runtime of ['Node', 'Lambda', 'workerd'] as const) {
    lines.push(
      `### ${runtime}`,
      '',
      ...(runtime === 'Lambda'
        ? [
            'The Node service as `lambda.ts` builds it: nothing runs after a handler returns, so a miss awaits its own cache store (bounded by the Redis timeout) before answering.',
            '',
          ]
        : []),
      `| path | before, ms (${rtts.join(' / ')}) | after, ms (${rtts.join(' / ')}) | waits for, before → after | Postgres trips | Redis trips |`,
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    )
    for (const path of [...new Set(all.map((f) => f.path))]) {
      const before = all.find((f) => f.path === path && f.runtime === runtime && f.version === 'before')
      const after = all.find((f) => f.path === path && f.runtime === runtime && f.version === 'after')
      if (!before || !after) continue
      const ms = (f: PathFigures) => rtts.map((rtt) => (f.ms[rtt] ?? 0).toFixed(1)).join(' / ')
      const trips = (a: number, b: number) => `${a.toFixed(1)} → ${b.toFixed(1)}`
      lines.push(
        `| ${path} | ${ms(before)} | ${ms(after)} | ${trips(criticalRoundTrips(before, rtts), criticalRoundTrips(after, rtts))} | ${trips(before.postgresTrips, after.postgresTrips)} | ${trips(before.redisTrips, after.redisTrips)} |`,
      )
    }
    lines.push('')
  }
  lines.push(`![latency at RTT ${top} ms, before and after](benchmarks-round-trips.svg)`, '')
  return lines.join('\n')
}

export function latencyChart(all: PathFigures[], rtts: number[]): string {
  const top = Math.max(...rtts)
  const bars: Bar[] = all
    .slice()
    .sort(
      (a, b) =>
        a.runtime.localeCompare(b.runtime) || a.path.localeCompare(b.path) || a.version.localeCompare(b.version),
    )
    .map((f) => ({
      label: `${f.runtime} · ${f.path.split(':')[0]} · ${f.version}`,
      value: f.ms[top] ?? 0,
      group: f.version === 'after' ? 'ours' : 'baseline',
    }))
  return barChart(`Latency per call at RTT ${top} ms (ms, median)`, 'ms', bars, { ours: 'after', baseline: 'before' })
}
