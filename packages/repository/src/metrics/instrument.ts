/**
 * Operation metrics without timing code in each method. `instrument` wraps
 * methods on a class's prototype, the way a method decorator would:
 *
 * ```ts
 * export class TopicRepository extends BaseRepository<…> { findByName(name: string) { … } }
 * instrument(TopicRepository, ['findByName'])
 * ```
 *
 * Each call of a wrapped method counts `OperationCount`, records
 * `OperationDuration` and, when it fails, `OperationErrors` and
 * `OperationErrors.<ErrorClass>`, with the dimensions repository and operation.
 *
 * Why not a standard decorator (`@measured`)? esbuild (wrangler, tsx, Lambda
 * bundles) lowers them, but Vite 8's transformer leaves them in place for Node
 * 24 to reject, so the test suite could not load the repositories. A plain
 * function reads the same and builds everywhere.
 */
import type { Dimensions, InvocationMetrics } from './invocation-metrics.ts'

/** The key under which an instrumented object tells the wrapper its name and its invocation's metrics. */
export const METRICS_TARGET: unique symbol = Symbol('metricsTarget')

export interface Measurable {
  readonly [METRICS_TARGET]: { repository: string; metrics: InvocationMetrics }
}

type Method = (...args: never[]) => Promise<unknown>
type MethodName<T> = { [K in keyof T]: T[K] extends Method ? K : never }[keyof T] & string

export function instrument<T extends Measurable>(target: { prototype: T }, operations: readonly MethodName<T>[]): void {
  const prototype: object = target.prototype
  for (const operation of operations) {
    const method: unknown = Reflect.get(prototype, operation)
    if (typeof method !== 'function') throw new TypeError(`cannot instrument ${operation}: not a method`)
    // One frozen dimensions object per repository name, so recording allocates nothing per call.
    const dimensionsByRepository = new Map<string, Dimensions>()
    Reflect.set(prototype, operation, function measured(this: Measurable, ...args: unknown[]) {
      const { repository, metrics } = this[METRICS_TARGET]
      if (!metrics.enabled) return method.apply(this, args)
      let dimensions = dimensionsByRepository.get(repository)
      if (!dimensions) {
        dimensions = Object.freeze({ repository, operation })
        dimensionsByRepository.set(repository, dimensions)
      }
      return measure(metrics, dimensions, () => method.apply(this, args))
    })
  }
}

/** Counts, times and classifies the failures of one call of `work`. */
export async function measure<T>(
  metrics: InvocationMetrics,
  dimensions: Dimensions,
  work: () => Promise<T>,
): Promise<T> {
  const started = metrics.now()
  try {
    return await work()
  } catch (error) {
    metrics.count('OperationErrors', dimensions)
    metrics.count(`OperationErrors.${errorClass(error)}`, dimensions)
    throw error
  } finally {
    metrics.count('OperationCount', dimensions)
    metrics.duration('OperationDuration', dimensions, metrics.now() - started)
  }
}

function errorClass(error: unknown): string {
  const name = (error as Error | undefined)?.name
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name) ? name : 'Error'
}
