import { describe, expect, it } from 'vitest'
import { barChart } from './svg-chart.ts'

describe('barChart', () => {
  it('draws one bar per path, scaled to the largest, labelled and escaped', () => {
    const svg = barChart('Latency <ms>', 'ms', [
      { label: 'a & b', value: 2, group: 'ours' },
      { label: 'peer', value: 4, group: 'peer' },
    ])
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg).toContain('Latency &lt;ms&gt;')
    expect(svg).toContain('a &amp; b')
    const widths = [...svg.matchAll(/<rect x="360" y="\d+" width="([\d.]+)" height="18"/g)].map((m) => Number(m[1]))
    expect(widths).toEqual([210, 420])
    expect(svg).toContain('4.000 ms')
  })
})
