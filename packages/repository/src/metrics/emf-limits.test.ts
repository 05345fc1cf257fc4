import { describe, expect, it } from 'vitest'
import { EMF_LIMITS, emfObjects } from './emf-limits.ts'
import type { MetricSeries, MetricsBatch } from './sink.ts'

const dims = { repository: 'documents', operation: 'findById' }
const batch = (metrics: MetricSeries[], metadata = {}): MetricsBatch => ({
  timestamp: 0,
  groups: [{ dimensions: dims, metrics }],
  metadata,
})
const counts = (n: number): MetricSeries[] =>
  Array.from({ length: n }, (_, i) => ({ name: `M${i}`, unit: 'Count', values: [1] }))

describe('emfObjects', () => {
  it('keeps a small group as one object', () => {
    expect(emfObjects(batch(counts(3)))).toEqual([{ dimensions: dims, metrics: counts(3) }])
  })

  it('splits 150 metrics into objects of at most 100, same dimensions, nothing lost', () => {
    const objects = emfObjects(batch(counts(150)))
    expect(objects.map((o) => o.metrics.length)).toEqual([100, 50])
    expect(objects.every((o) => o.dimensions === dims)).toBe(true)
    expect(objects.flatMap((o) => o.metrics)).toEqual(counts(150))
  })

  it('spreads a metric with more values than allowed over several objects, one piece per object', () => {
    const values = Array.from({ length: 250 }, (_, i) => i)
    const objects = emfObjects(batch([{ name: 'D', unit: 'Milliseconds', values }, ...counts(1)]), {
      ...EMF_LIMITS,
      valuesPerMetric: 99,
    })
    expect(objects.map((o) => o.metrics.map((m) => `${m.name}:${m.values.length}`))).toEqual([
      ['D:99'],
      ['D:99'],
      ['D:52', 'M0:1'],
    ])
  })

  it('starts a new object before the estimated size passes the budget', () => {
    const long: MetricSeries[] = Array.from({ length: 10 }, (_, i) => ({
      name: `Big${i}`,
      unit: 'Milliseconds',
      values: Array.from({ length: 100 }, () => 123456.789),
    }))
    const objects = emfObjects(batch(long), { ...EMF_LIMITS, bytesPerObject: 5_000 })
    expect(objects.length).toBeGreaterThan(2)
    for (const object of objects) {
      expect(JSON.stringify(object).length).toBeLessThan(5_000)
    }
  })

  it('refuses a group with more dimensions than EMF allows', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, 'x']))
    expect(() =>
      emfObjects({ timestamp: 0, groups: [{ dimensions: many, metrics: counts(1) }], metadata: {} }),
    ).toThrow(RangeError)
  })
})
