import { describe, expect, it } from 'vitest'
import { NotFoundError } from '../errors.ts'
import { instrument, METRICS_TARGET } from './instrument.ts'
import { RepositoryMetrics } from './repository-metrics.ts'
import type { MetricsBatch } from './sink.ts'

function setup(sink = true) {
  const batches: MetricsBatch[] = []
  let clock = 0
  const metrics = new RepositoryMetrics({
    ...(sink && { sink: { publish: (batch: MetricsBatch) => batches.push(batch) } }),
    now: () => clock,
  })
  metrics.startInvocation().flush()
  batches.length = 0
  const invocation = metrics.startInvocation()

  class Widgets {
    readonly [METRICS_TARGET] = { repository: 'widgets', metrics: invocation }
    async find(id: number): Promise<number> {
      clock += 12
      if (id < 0) throw new NotFoundError('no such widget')
      return id * 2
    }
  }
  instrument(Widgets, ['find'])
  return { widgets: new Widgets(), invocation, batches }
}

describe('instrument', () => {
  it('counts and times each call, passing arguments and results through', async () => {
    const { widgets, invocation, batches } = setup()
    expect(await widgets.find(21)).toBe(42)
    await widgets.find(1)
    invocation.flush()
    expect(batches[0]?.groups).toEqual([
      {
        dimensions: { repository: 'widgets', operation: 'find' },
        metrics: [
          { name: 'OperationCount', unit: 'Count', values: [2] },
          { name: 'OperationDuration', unit: 'Milliseconds', values: [12, 12] },
        ],
      },
    ])
  })

  it('counts a failure by its error class and rethrows it unchanged', async () => {
    const { widgets, invocation, batches } = setup()
    await expect(widgets.find(-1)).rejects.toBeInstanceOf(NotFoundError)
    invocation.flush()
    const names = batches[0]?.groups[0]?.metrics.map((m) => `${m.name}=${m.values.join(',')}`)
    expect(names).toEqual([
      'OperationErrors=1',
      'OperationErrors.NotFoundError=1',
      'OperationCount=1',
      'OperationDuration=12',
    ])
  })

  it('only passes the call through when metrics are off', async () => {
    const { widgets, invocation } = setup(false)
    expect(await widgets.find(2)).toBe(4)
    expect(invocation.isEmpty).toBe(true)
  })

  it('refuses a name that is not a method', () => {
    class Plain {
      readonly [METRICS_TARGET] = { repository: 'p', metrics: new RepositoryMetrics().startInvocation() }
      value = 1
    }
    // @ts-expect-error: `value` is not a method, and the types say so too
    expect(() => instrument(Plain, ['value'])).toThrow(TypeError)
  })
})
