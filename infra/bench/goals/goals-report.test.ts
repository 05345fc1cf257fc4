import { describe, expect, it } from 'vitest'
import type { GoalsFigures, TreeFigures } from './goals-bench.ts'
import { goals, goalsChart, goalsMarkdown, met, parseMetricsReport } from './goals-report.ts'

const tree = (over: Partial<TreeFigures>): TreeFigures => ({ rps: {}, missing: [], ...over })
const figures: GoalsFigures = {
  baselineRef: 'd20693f',
  baselineCommit: 'd20693f',
  trees: {
    baseline: tree({
      workerGzip: 284 * 1024,
      lambdaGzip: 303 * 1024,
      workerInitNode: 55,
      lambdaInitNode: 60,
      workerdInit: 100,
      workerdStartup: 250,
      rps: { 16: { ping: 10_000, hit: 3900, ratio: 0.39 }, 1: { ping: 5000, hit: 3500, ratio: 0.7 } },
      metrics: { ratio: 1.1, offMicros: 1000, onMicros: 1100 },
    }),
    now: tree({
      workerGzip: 140 * 1024,
      lambdaGzip: 151 * 1024,
      workerInitNode: 19.5,
      rps: { 16: { ping: 10_000, hit: 8000, ratio: 0.8 }, 1: { ping: 5000, hit: 4400, ratio: 0.88 } },
      metrics: { ratio: 1.04, offMicros: 1000, onMicros: 1040 },
      missing: ['workerd init: it failed'],
    }),
  },
  bare: { nodeInit: 1.5, workerdInit: 12, workerdStartup: 150 },
  options: { baselineRef: 'd20693f', rounds: 5, seconds: 2, initRuns: 7, workerdCopies: 6, metricsRuns: 2 },
  concurrencies: [16, 1],
  elapsedSeconds: 120,
}

describe("issue 18's goals report", () => {
  it('says which goals this tree meets, and which figures it could not measure', () => {
    const markdown = goalsMarkdown(figures)
    const row = (start: string) => markdown.split('\n').find((line) => line.startsWith(`| ${start}`))
    expect(row('Worker bundle, gzip')).toBe('| Worker bundle, gzip | 284 KiB | 140 KiB | ≤ 150 KiB | yes |')
    expect(row('Lambda bundle, gzip')).toBe('| Lambda bundle, gzip | 303 KiB | 151 KiB | ≤ 150 KiB | no |')
    expect(row('module init, Worker')).toBe(
      '| module init, Worker bundle (import, Node 24) | 55.0 ms | 19.5 ms | ≤ 20 ms | yes |',
    )
    expect(row('module init, Lambda')).toContain('| 60.0 ms | not measured | ≤ 20 ms | — |')
    expect(row('module init, Worker bundle (per isolate')).toContain('| 100.0 ms | not measured | ≤ 20 ms | — |')
    expect(row('memory-hit')).toContain('| 0.39× | 0.80× | ≥ 0.75× | yes |')
    expect(row('same at 1')).toContain('| 0.70× | 0.88× | ≥ 0.9× | no |')
    expect(row('metrics on vs off')).toContain('| +10.0% | +4.0% | ≤ +5% | yes |')
    expect(markdown).toContain('- this tree: workerd init: it failed')
  })

  it('meets a bound inclusively, and has nothing to say of an unmeasured figure', () => {
    const [size, , , , , ratio] = goals()
    expect(met(size as never, 150 * 1024)).toBe('yes')
    expect(met(ratio as never, 0.75)).toBe('yes')
    expect(met(ratio as never, Number.NaN)).toBe('—')
  })

  it('charts each figure as a share of its goal', () => {
    const svg = goalsChart(figures)
    expect(svg).toContain('Worker gzip · now')
    expect(svg).toContain('2.000 × goal') // metrics +10% is twice the 5% allowed
  })

  it("reads bench:metrics' end-to-end row, not the layer-alone one", () => {
    const report = [
      '### End to end',
      '| path | CPU µs / request (median round) | vs metrics off | per-round ratios |',
      '| --- | ---: | ---: | ---: |',
      '| metrics off | 1116 | 1.000× | 1.00–1.00 |',
      '| metrics recorded, sink discards | 1130 | 1.010× | 0.95–1.07 |',
      '| metrics on (Powertools EMF) | 1184 | 1.095× | 0.98–1.20 |',
      '### The layer alone',
      '| metrics off | 90 | 1.000× | 1.00–1.00 |',
      '| metrics on (Powertools EMF) | 130 | 1.444× | 1.30–1.60 |',
    ].join('\n')
    expect(parseMetricsReport(report)).toEqual({ ratio: 1.095, offMicros: 1116, onMicros: 1184 })
    expect(() => parseMetricsReport('nothing')).toThrow(/no "metrics off" or "metrics on" row/)
  })

  it('reads the EmfMetricsSink row beside the Powertools one where the tree has it', () => {
    const report = [
      '| metrics off | 613 | 1.000× | 1.00–1.00 |',
      '| metrics recorded, sink discards | 642 | 1.030× | 0.97–1.12 |',
      '| metrics on (Powertools EMF: Lambda) | 665 | 1.098× | 1.01–1.17 |',
      '| metrics on (EmfMetricsSink: Workers, Node) | 641 | 1.041× | 0.98–1.13 |',
      '| metrics off | 65 | 1.000× | 1.00–1.00 |',
      '| metrics on (EmfMetricsSink: Workers, Node) | 71 | 1.138× | 0.96–1.24 |',
    ].join('\n')
    expect(parseMetricsReport(report)).toEqual({ ratio: 1.098, offMicros: 613, onMicros: 665, emfSinkRatio: 1.041 })
  })
})
