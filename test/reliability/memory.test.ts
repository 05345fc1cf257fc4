/**
 * An isolate's memory stays flat under a long run of random writes across
 * many tenants: the per-isolate maps — its own generation counters, the
 * memory tier, pending invalidations, loads in flight — keep to their bounds
 * however many organizations and rows are written, and a bound reached never
 * lets an entry stamped before a write answer after it. The run is the
 * writes and reads of an hour of busy traffic, compressed (no database: the
 * maps are the isolate's, whatever answers the loads).
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type CachedRead, CacheManager } from '@serverless-dal/repository'
import { describe, expect, it } from 'vitest'
import { figure, RELIABILITY_FULL } from '../support/reliability-stack.ts'

const TENANTS = 20_000
const OPERATIONS = RELIABILITY_FULL ? 2_000_000 : 400_000
const MAX_ENTRIES = 5_000
const MAX_LOCAL_COUNTERS = 10_000 // packages/repository/src/cache/generations.ts

const random = (n: number) => Math.floor(Math.random() * n)

/** The heap in use once garbage is collected: what the isolate really holds. */
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void
const heldMb = () => {
  collectGarbage()
  return process.memoryUsage().heapUsed / 1e6
}

function readOf(orgId: string, id: number, value: string): CachedRead<string> {
  return {
    orgId,
    repository: 'documents',
    operation: 'findById',
    queryType: 'findById',
    params: { id },
    tags: [`documents:${id}`, 'documents:*'],
    load: async () => value,
  }
}

describe('memory under a long run of writes across many tenants', () => {
  it(`${OPERATIONS} random writes and reads over ${TENANTS} tenants keep every map within its bound`, async () => {
    const cache = new CacheManager({ memory: { maxEntries: MAX_ENTRIES } })
    const watched = readOf('watched', 1, 'before')
    expect((await cache.read(watched)).outcome).toBe('miss')
    expect((await cache.read(watched)).outcome).toBe('memory-hit')
    await cache.invalidate('watched', ['documents:1'])

    const heap: number[] = []
    let largest = 0
    for (let i = 0; i < OPERATIONS; i++) {
      const orgId = `org-${random(TENANTS)}`
      const id = random(1_000)
      if (i % 4 === 0) await cache.read(readOf(orgId, id, `v${i}`))
      else await cache.invalidate(orgId, [`documents:${id}`, 'documents:list'])
      if (i % (OPERATIONS / 8) === 0) heap.push(heldMb())
      if (i % 1_000 === 0) largest = Math.max(largest, cache.stats().invalidations.localCounters)
    }
    heap.push(heldMb())
    const stats = cache.stats()
    figure('memory', {
      operations: OPERATIONS,
      tenants: TENANTS,
      largestLocalCounters: largest,
      memoryEntries: stats.memory.entries,
      heldMbAtEighths: heap.map((mb) => mb.toFixed(1)).join('/'),
    })
    expect(largest).toBeLessThanOrEqual(MAX_LOCAL_COUNTERS)
    expect(stats.memory.entries).toBeLessThanOrEqual(MAX_ENTRIES)
    expect(stats.invalidations.pending).toBe(0)
    // flat: from a quarter of the run to its end the isolate holds no more than a few MB more
    expect((heap.at(-1) ?? 0) - (heap[2] ?? 0)).toBeLessThan(8)
    // the counters were emptied many times over: an entry stamped before its write still never answers
    const after = await cache.read({ ...readOf('watched', 1, 'after') })
    expect(after).toMatchObject({ value: 'after', outcome: 'miss' })
  }, 180_000)
})
