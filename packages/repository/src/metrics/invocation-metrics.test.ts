import { describe, expect, it } from 'vitest'
import { CacheManager } from '../cache/cache-manager.ts'
import { RepositoryMetrics } from './repository-metrics.ts'
import type { MetricsBatch } from './sink.ts'

function recording(options: { failing?: boolean } = {}) {
  const batches: MetricsBatch[] = []
  const errors: string[] = []
  const metrics = new RepositoryMetrics({
    sink: {
      publish: (batch) => {
        if (options.failing) throw new Error('sink down')
        batches.push(batch)
      },
    },
    logger: { warn: () => {}, error: (message) => errors.push(message) },
  })
  metrics.startInvocation().flush() // consume the cold start
  batches.length = 0
  errors.length = 0
  return { metrics, batches, errors }
}

const op = { repository: 'documents', operation: 'findById' }

describe('InvocationMetrics', () => {
  it('sums counts and keeps every duration, grouped by dimension values', () => {
    const { metrics, batches } = recording()
    const invocation = metrics.startInvocation({ requestId: 'r1' })
    invocation.count('OperationCount', op)
    invocation.count('OperationCount', op)
    invocation.count('OperationCount', { ...op, operation: 'findMany' })
    invocation.duration('OperationDuration', op, 1.23456)
    invocation.duration('OperationDuration', op, 7)
    invocation.flush()

    expect(batches).toHaveLength(1)
    expect(batches[0]?.metadata).toEqual({ requestId: 'r1' })
    expect(batches[0]?.groups).toEqual([
      {
        dimensions: op,
        metrics: [
          { name: 'OperationCount', unit: 'Count', values: [2] },
          { name: 'OperationDuration', unit: 'Milliseconds', values: [1.235, 7] },
        ],
      },
      {
        dimensions: { ...op, operation: 'findMany' },
        metrics: [{ name: 'OperationCount', unit: 'Count', values: [1] }],
      },
    ])
  })

  it('names one organization as organizationId, several as organizationIds', () => {
    const { metrics, batches } = recording()
    const one = metrics.startInvocation()
    one.attachOrganization('acme')
    one.count('X')
    one.flush()
    const two = metrics.startInvocation()
    two.attachOrganization('acme')
    two.attachOrganization('globex')
    two.attachOrganization('acme')
    two.count('X')
    two.flush()

    expect(batches.map((b) => b.metadata)).toEqual([{ organizationId: 'acme' }, { organizationIds: 'acme,globex' }])
  })

  it('publishes once; what arrives after the flush goes out with the next invocation', () => {
    const { metrics, batches } = recording()
    const first = metrics.startInvocation()
    first.count('Early')
    first.flush()
    first.count('Late') // a background refresh finishing after the response
    first.flush()
    expect(batches).toHaveLength(1)

    const second = metrics.startInvocation()
    second.flush()
    expect(batches).toHaveLength(2)
    expect(batches[1]?.groups[0]?.metrics).toEqual([{ name: 'Late', unit: 'Count', values: [1] }])
    metrics.startInvocation().flush()
    expect(batches).toHaveLength(2) // carried over once, not again
  })

  it('reports the cold start with the first flush of the isolate only', () => {
    const batches: MetricsBatch[] = []
    const metrics = new RepositoryMetrics({ sink: { publish: (batch) => batches.push(batch) } })
    metrics.startInvocation().flush()
    metrics.startInvocation().flush()
    expect(batches).toHaveLength(1)
    expect(batches[0]?.groups[0]?.metrics).toEqual([{ name: 'ColdStart', unit: 'Count', values: [1] }])
  })

  it('adds what the observed cache counted since the last flush', async () => {
    const { metrics, batches } = recording()
    const cache = new CacheManager({})
    metrics.observeCache(cache)
    const read = { orgId: 'o', repository: 'documents', operation: 'findById', queryType: 'findById', tags: ['t'] }
    await cache.read({ ...read, params: 1, load: async () => 'v' })
    await cache.read({ ...read, params: 1, load: async () => 'v' })
    metrics.startInvocation().flush()
    await cache.read({ ...read, params: 1, load: async () => 'v' })
    metrics.startInvocation().flush()

    const query = { repository: 'documents', operation: 'findById' }
    expect(batches[0]?.groups).toEqual([
      {
        dimensions: query,
        metrics: [
          { name: 'CacheMemoryHit', unit: 'Count', values: [1] },
          { name: 'CacheMemoryMiss', unit: 'Count', values: [1] },
        ],
      },
    ])
    expect(batches[1]?.groups).toEqual([
      { dimensions: query, metrics: [{ name: 'CacheMemoryHit', unit: 'Count', values: [1] }] },
    ])
  })

  it('publishes nothing for an empty invocation', () => {
    const { metrics, batches } = recording()
    metrics.startInvocation({ requestId: 'idle' }).flush()
    expect(batches).toEqual([])
  })

  it('records nothing and reads no clock without a sink', () => {
    let clockReads = 0
    const metrics = new RepositoryMetrics({ now: () => ++clockReads })
    const invocation = metrics.startInvocation()
    invocation.count('X')
    invocation.duration('Y', {}, 1)
    expect(invocation.enabled).toBe(false)
    expect(invocation.isEmpty).toBe(true)
    expect(clockReads).toBe(0)
  })

  it('logs a failing sink instead of failing the invocation', () => {
    const { metrics, errors } = recording({ failing: true })
    const invocation = metrics.startInvocation()
    invocation.count('X')
    expect(() => invocation.flush()).not.toThrow()
    expect(errors).toEqual(['publishing metrics failed'])
  })

  it('uses the per-operation slow-query threshold, else the default', () => {
    const metrics = new RepositoryMetrics({ slowQueryMsByOperation: { 'documents.findRelatedDocuments': 3_000 } })
    expect(metrics.slowQueryThresholdMs('documents', 'findRelatedDocuments')).toBe(3_000)
    expect(metrics.slowQueryThresholdMs('documents', 'findById')).toBe(1_000)
    expect(new RepositoryMetrics({ slowQueryMs: 250 }).slowQueryThresholdMs('topics', 'create')).toBe(250)
  })
})
