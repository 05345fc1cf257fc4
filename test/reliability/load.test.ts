/**
 * A steady load at a fixed rate (open loop: requests start on schedule
 * whether or not earlier ones finished) against the whole stack: reads by
 * id, lists, related walks and writes. No errors, the memory tier under its
 * byte cap (set small here, so it is exercised), and no pool exhaustion.
 * 15 s in CI; 60 s with RELIABILITY_FULL=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figure, RELIABILITY_FULL, reliabilityStack } from '../support/reliability-stack.ts'

const MEMORY_CAP = 256 * 1024
const SECONDS = RELIABILITY_FULL ? 60 : 15
const RATE = 150 // requests per second

let stack: Awaited<ReturnType<typeof reliabilityStack>>
beforeAll(async () => {
  stack = await reliabilityStack('rel_load', { CACHE_MEMORY_MAX_BYTES: String(MEMORY_CAP) })
})
afterAll(() => stack?.close())

describe('steady load', () => {
  it(`${RATE} requests/s for ${SECONDS} s: no errors, memory under its cap, no pool exhaustion`, async () => {
    const client = await stack.api.client('load', 'editor')
    const ids: number[] = []
    for (let i = 0; i < 40; i++) {
      const body = { title: `seed ${i}`, body: 'x'.repeat(2_000), summary: 'y'.repeat(500) }
      ids.push(((await (await client.post('/documents', body)).json()) as { id: number }).id)
    }
    for (let i = 0; i + 1 < ids.length; i++) await client.post(`/documents/${ids[i]}/links`, { targetId: ids[i + 1] })

    const statuses = new Map<number, number>()
    const latencies: number[] = []
    let peakMemory = 0
    const send = async (n: number) => {
      const id = ids[n % ids.length]
      const started = performance.now()
      const pick = n % 20
      const response =
        pick < 13
          ? await client.get(`/documents/${id}?include=summaries`)
          : pick < 16
            ? await client.get(`/documents?limit=20&q=seed`)
            : pick < 18
              ? await client.get(`/documents/${id}/related?maxDepth=3`)
              : await client.post('/documents', { title: `load ${n}`, body: 'z'.repeat(1_000) })
      await response.arrayBuffer()
      latencies.push(performance.now() - started)
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      peakMemory = Math.max(peakMemory, stack.api.service.factory.cache?.stats().memory.bytes ?? 0)
    }

    const total = RATE * SECONDS
    const inFlight: Promise<void>[] = []
    const began = performance.now()
    for (let n = 0; n < total; n++) {
      const due = began + (n * 1000) / RATE
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      inFlight.push(send(n))
    }
    await Promise.all(inFlight)
    const elapsed = (performance.now() - began) / 1000

    latencies.sort((a, b) => a - b)
    const p99 = latencies[Math.floor(latencies.length * 0.99)] as number
    const stats = stack.api.service.factory.cache?.stats()
    const errors = [...statuses].filter(([status]) => status >= 300).reduce((sum, [, count]) => sum + count, 0)
    figure('steady load', {
      requests: total,
      seconds: elapsed.toFixed(1),
      p99ms: p99.toFixed(1),
      errors,
      memoryPeakBytes: peakMemory,
      memoryCapBytes: MEMORY_CAP,
      evictions: stats?.memory.evictions ?? 0,
    })
    expect(errors).toBe(0) // no 503 (pool exhaustion, timeouts), no 5xx, no 4xx
    expect(peakMemory).toBeLessThanOrEqual(MEMORY_CAP)
    expect(stats?.memory.evictions).toBeGreaterThan(0) // the cap was actually reached
    expect(elapsed).toBeLessThan(SECONDS * 1.5) // the service kept up with the rate
  })
})
