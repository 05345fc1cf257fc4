/**
 * Issue 18's goals as a Markdown section and an SVG chart: each figure for
 * the baseline and for this tree, its goal, and whether this tree meets it.
 */
import { type Bar, barChart } from '../svg-chart.ts'
import type { GoalsFigures, TreeFigures } from './goals-bench.ts'

/** Where issue 18's work starts: its figures' baseline. */
export const DEFAULT_BASELINE_REF = 'd20693f'

export interface Goal {
  figure: string
  /** Its chart label. */
  short: string
  /** The figure of a tree, undefined when not measured. */
  value: (tree: TreeFigures) => number | undefined
  format: (value: number) => string
  /** `at-most`: met when value ≤ limit; `at-least`: when value ≥ limit. */
  kind: 'at-most' | 'at-least'
  limit: number
  goal: string
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`
const ms = (value: number) => `${value.toFixed(1)} ms`
const times = (value: number) => `${value.toFixed(2)}×`
const percent = (ratio: number) => `${ratio >= 1 ? '+' : '−'}${Math.abs((ratio - 1) * 100).toFixed(1)}%`

export function goals(): Goal[] {
  return [
    {
      figure: 'Worker bundle, gzip',
      short: 'Worker gzip',
      value: (t) => t.workerGzip,
      format: kib,
      kind: 'at-most',
      limit: 150 * 1024,
      goal: '≤ 150 KiB',
    },
    {
      figure: 'Lambda bundle, gzip',
      short: 'Lambda gzip',
      value: (t) => t.lambdaGzip,
      format: kib,
      kind: 'at-most',
      limit: 150 * 1024,
      goal: '≤ 150 KiB',
    },
    {
      figure: 'module init, Worker bundle (import, Node 24)',
      short: 'init Worker, Node',
      value: (t) => t.workerInitNode,
      format: ms,
      kind: 'at-most',
      limit: 20,
      goal: '≤ 20 ms',
    },
    {
      figure: 'module init, Lambda bundle (import, Node 24)',
      short: 'init Lambda, Node',
      value: (t) => t.lambdaInitNode,
      format: ms,
      kind: 'at-most',
      limit: 20,
      goal: '≤ 20 ms',
    },
    {
      figure: 'module init, Worker bundle (per isolate, workerd)',
      short: 'init Worker, workerd',
      value: (t) => t.workerdInit,
      format: ms,
      kind: 'at-most',
      limit: 20,
      goal: '≤ 20 ms',
    },
    {
      figure: 'memory-hit `GET /documents/:id` vs `GET /ping`, requests/s, 16 in flight',
      short: 'hit vs ping, 16 in flight',
      value: (t) => t.rps[16]?.ratio,
      format: times,
      kind: 'at-least',
      limit: 0.75,
      goal: '≥ 0.75×',
    },
    {
      figure: 'same at 1 connection',
      short: 'hit vs ping, 1 in flight',
      value: (t) => t.rps[1]?.ratio,
      format: times,
      kind: 'at-least',
      limit: 0.9,
      goal: '≥ 0.9×',
    },
    {
      figure: 'metrics on vs off, CPU per request end to end (Powertools: Lambda)',
      short: 'metrics on vs off, CPU',
      value: (t) => t.metrics?.ratio,
      format: percent,
      kind: 'at-most',
      limit: 1.05,
      goal: '≤ +5%',
    },
    {
      figure: 'same, EmfMetricsSink (Workers, Node)',
      short: 'metrics on vs off, EmfMetricsSink',
      value: (t) => t.metrics?.emfSinkRatio,
      format: percent,
      kind: 'at-most',
      limit: 1.05,
      goal: '≤ +5%',
    },
  ]
}

export function met(goal: Goal, value: number | undefined): 'yes' | 'no' | '—' {
  if (value === undefined || !Number.isFinite(value)) return '—'
  return (goal.kind === 'at-most' ? value <= goal.limit : value >= goal.limit) ? 'yes' : 'no'
}

export function goalsMarkdown(figures: GoalsFigures): string {
  const { baseline, now } = figures.trees
  const show = (goal: Goal, tree: TreeFigures) => {
    const value = goal.value(tree)
    return value === undefined || !Number.isFinite(value) ? 'not measured' : goal.format(value)
  }
  const o = figures.options
  const rps = (tree: TreeFigures, concurrency: number) => {
    const r = tree.rps[concurrency]
    return r ? `${r.hit.toFixed(0)} / ${r.ping.toFixed(0)}` : 'not measured'
  }
  const micros = (tree: TreeFigures) =>
    tree.metrics ? `${tree.metrics.offMicros.toFixed(0)} → ${tree.metrics.onMicros.toFixed(0)}` : 'not measured'
  const missing = (['baseline', 'now'] as const).flatMap((name) =>
    figures.trees[name].missing.map((why) => `- ${name === 'now' ? 'this tree' : 'the baseline'}: ${why}`),
  )
  const lines = [
    "## Issue 18's goals: baseline and now",
    '',
    `"baseline" is \`${figures.baselineRef}\` (${figures.baselineRef === DEFAULT_BASELINE_REF ? "where issue 18's work starts" : `commit \`${figures.baselineCommit}\``}; \`BENCH_BASELINE_REF\` sets it), "now" ${figures.nowCommit ? `commit \`${figures.nowCommit}\` (\`BENCH_NOW_REF\`)` : 'this working tree'}; each is built and run with its own scripts in the same run, taking turns. Bundles: each tree's \`infra/build/build.ts\` (wrangler dry-run, esbuild), gzip of the code without source maps. Module init: importing the built bundle in a fresh Node process, median of ${o.initRuns}. In workerd: Miniflare started on ${o.workerdCopies} isolates of the Worker bundle and on one, until ready (and answering \`/ping\`); the difference over ${o.workerdCopies - 1} is one isolate's init without workerd's process start (${figures.bare.workerdStartup?.toFixed(0) ?? '?'} ms here), median of ${o.initRuns} (workerd's clock stands still while code runs, so a Worker cannot time its own init). Requests/s: each tree's \`node.ts\` as \`npm start\` runs it (embedded PGlite, metrics on), one keep-alive load generator, ${o.rounds} rounds of ${o.seconds} s per path, tree and concurrency, the median of the per-round ratios (\`npm run bench:api\`'s method). Metrics: each tree's \`npm run bench:metrics\`, its end-to-end CPU per request on ÷ off, median of ${o.metricsRuns} runs per tree. This part took ${Math.round(figures.elapsedSeconds)} s.`,
    '',
    '| figure | baseline | now | goal | met? |',
    '| --- | ---: | ---: | ---: | :---: |',
    ...goals().map(
      (goal) =>
        `| ${goal.figure} | ${show(goal, baseline)} | ${show(goal, now)} | ${goal.goal} | ${met(goal, goal.value(now))} |`,
    ),
    '',
    "The issue was filed with 256 and 244 KiB, 52–56 ms of init (a bare Hono app 1.3 ms), 0.39× and 0.69–0.74×, and +10%, on another machine; its bundle sizes are those of `544dadb`. Times and requests/s move with this machine's load (others' builds and tests share it); ratios and the baseline beside each figure are what to read.",
    '',
    '![issue 18 goals, baseline and now](benchmarks-goals.svg)',
    '',
    '| reference | baseline | now |',
    '| --- | ---: | ---: |',
    `| bundle size, minified: Worker | ${baseline.workerBytes ? kib(baseline.workerBytes) : '—'} | ${now.workerBytes ? kib(now.workerBytes) : '—'} |`,
    `| bundle size, minified: Lambda | ${baseline.lambdaBytes ? kib(baseline.lambdaBytes) : '—'} | ${now.lambdaBytes ? kib(now.lambdaBytes) : '—'} |`,
    `| bare Hono app: import, Node 24 | ${figures.bare.nodeInit?.toFixed(1) ?? '—'} ms | (same) |`,
    `| bare Hono app: init per isolate, workerd | ${figures.bare.workerdInit?.toFixed(1) ?? '—'} ms | (same) |`,
    `| workerd startup, one isolate of the Worker, until ready | ${baseline.workerdStartup?.toFixed(0) ?? '—'} ms | ${now.workerdStartup?.toFixed(0) ?? '—'} ms |`,
    ...figures.concurrencies.map(
      (c) => `| requests/s at ${c} in flight: memory hit / \`/ping\` | ${rps(baseline, c)} | ${rps(now, c)} |`,
    ),
    `| CPU µs per request end to end, metrics off → on | ${micros(baseline)} | ${micros(now)} |`,
    '',
  ]
  if (missing.length > 0) lines.push('Not measured:', '', ...missing, '')
  return lines.join('\n')
}

/**
 * Each figure as a share of its goal, so one scale fits all: at most 1 meets
 * it (a size or time over its limit, a ratio's limit over the ratio, metrics'
 * extra CPU over 5%).
 */
export function goalsChart(figures: GoalsFigures): string {
  const share = (goal: Goal, value: number | undefined) => {
    if (value === undefined || !Number.isFinite(value)) return undefined
    if (goal.limit === 1.05) return Math.max(0, value - 1) / 0.05
    return goal.kind === 'at-most' ? value / goal.limit : goal.limit / value
  }
  const bars: Bar[] = goals().flatMap((goal) =>
    (['baseline', 'now'] as const).flatMap((name) => {
      const value = share(goal, goal.value(figures.trees[name]))
      return value === undefined
        ? []
        : [{ label: `${goal.short} · ${name}`, value, group: name === 'now' ? 'ours' : 'baseline' } satisfies Bar]
    }),
  )
  return barChart('Issue 18: each figure as a share of its goal (≤ 1 meets it)', '× goal', bars, {
    ours: 'now',
    baseline: 'baseline',
  })
}

/**
 * The first table of bench:metrics' report (end to end): CPU µs off and on (its first "metrics on"
 * row, Powertools), on's ratio, and the ratio of the EmfMetricsSink row where the tree has one.
 */
export function parseMetricsReport(report: string): {
  ratio: number
  offMicros: number
  onMicros: number
  emfSinkRatio?: number
} {
  const row = (name: RegExp) =>
    report
      .split('\n')
      .find((l) => name.test(l))
      ?.split('|')
      .map((cell) => cell.trim())
  const off = row(/^\|\s*metrics off\s*\|/)
  const on = row(/^\|\s*metrics on\b/)
  if (!off || !on) throw new Error('bench:metrics printed no "metrics off" or "metrics on" row')
  const ratio = Number.parseFloat(on[3] ?? '')
  if (!Number.isFinite(ratio)) throw new Error(`bench:metrics' ratio is unreadable: ${on.join('|')}`)
  const emfSink = Number.parseFloat(row(/^\|\s*metrics on \(EmfMetricsSink/)?.[3] ?? '')
  return {
    ratio,
    offMicros: Number(off[2]),
    onMicros: Number(on[2]),
    ...(Number.isFinite(emfSink) && { emfSinkRatio: emfSink }),
  }
}
