import { describe, expect, it } from 'vitest'
import { ConsistencySampler } from './consistency-sampler.ts'

describe('the consistency sampler', () => {
  it('checks one hit in sampleEvery, never more than its share of the database loads', () => {
    const sampler = new ConsistencySampler({ sampleEvery: 10, maxShareOfLoads: 0.01 })
    let checks = 0
    for (let load = 0; load < 1_000; load++) sampler.loaded()
    for (let hit = 0; hit < 100_000; hit++) if (sampler.sample()) checks += 1
    expect(checks).toBe(10) // 1% of 1,000 loads, though 10,000 hits were sampled
    const everyOther = new ConsistencySampler({ sampleEvery: 2, maxShareOfLoads: 1 })
    for (let load = 0; load < 5; load++) everyOther.loaded()
    expect(Array.from({ length: 6 }, () => everyOther.sample())).toEqual([false, true, false, true, false, true])
  })

  it('is off at sampleEvery 0', () => {
    const off = new ConsistencySampler({ sampleEvery: 0, maxShareOfLoads: 1 })
    for (let load = 0; load < 100; load++) off.loaded()
    expect(Array.from({ length: 10 }, () => off.sample())).not.toContain(true)
  })
})
