/**
 * The metrics of one invocation (a request, a scheduled run): recorded by the
 * repositories, sessions and cache of the request scopes it is attached to,
 * and published once, when the entry flushes it in its `finally`.
 *
 * Counts are summed per metric and dimension set; durations keep every value,
 * so CloudWatch can still compute percentiles. Records that arrive after the
 * flush (background cache refreshes) are carried over to the isolate's next
 * flush instead of being lost.
 */
import type { MetricGroup, MetricSeries, MetricsBatch, MetricUnit } from './sink.ts'

export type Dimensions = Readonly<Record<string, string>>

/** Where an invocation publishes; `RepositoryMetrics` is the real one. */
export interface InvocationOwner {
  readonly enabled: boolean
  now(): number
  slowQueryThresholdMs(repository: string, operation: string): number
  publish(invocation: InvocationMetrics): void
  /** Receives what an invocation records after its flush. */
  readonly carryOver: InvocationMetrics
}

interface GroupBuilder {
  dimensions: Dimensions
  series: Map<string, MetricSeries>
}

const NO_DIMENSIONS: Dimensions = Object.freeze({})

export class InvocationMetrics {
  readonly #owner: InvocationOwner
  readonly #groups = new Map<string, GroupBuilder>()
  readonly #metadata = new Map<string, string>()
  readonly #organizations = new Set<string>()
  #flushed = false

  constructor(owner: InvocationOwner, metadata: Readonly<Record<string, string>> = {}) {
    this.#owner = owner
    for (const [key, value] of Object.entries(metadata)) this.#metadata.set(key, value)
  }

  /** False when no sink is configured: nothing is recorded and timing is skipped. */
  get enabled(): boolean {
    return this.#owner.enabled
  }

  now(): number {
    return this.#owner.now()
  }

  slowQueryThresholdMs(repository: string, operation: string): number {
    return this.#owner.slowQueryThresholdMs(repository, operation)
  }

  count(name: string, dimensions: Dimensions = NO_DIMENSIONS, value = 1): void {
    if (!this.enabled || value === 0) return
    if (this.#flushed) {
      this.#owner.carryOver.count(name, dimensions, value)
      return
    }
    const series = this.#series(name, 'Count', dimensions)
    series.values[0] = (series.values[0] ?? 0) + value
  }

  duration(name: string, dimensions: Dimensions, milliseconds: number): void {
    if (!this.enabled) return
    if (this.#flushed) {
      this.#owner.carryOver.duration(name, dimensions, milliseconds)
      return
    }
    this.#series(name, 'Milliseconds', dimensions).values.push(Math.round(milliseconds * 1000) / 1000)
  }

  /** High-cardinality context for the logs (a request id); never a dimension. */
  addMetadata(key: string, value: string): void {
    this.#metadata.set(key, value)
  }

  /** The organizations this invocation served; published as metadata only. */
  attachOrganization(orgId: string): void {
    this.#organizations.add(orgId)
  }

  get isEmpty(): boolean {
    return this.#groups.size === 0
  }

  /** Publishes everything recorded so far, once; later records go to the isolate's next flush. */
  flush(): void {
    if (this.#flushed) return
    this.#owner.publish(this)
    this.#flushed = true
  }

  /** The batch as it stands (the owner publishes it). */
  toBatch(timestamp: number): MetricsBatch {
    const metadata = Object.fromEntries(this.#metadata)
    const organizations = [...this.#organizations]
    if (organizations.length === 1) metadata.organizationId = organizations[0] as string
    else if (organizations.length > 1) metadata.organizationIds = organizations.join(',')
    return { timestamp, groups: this.groups(), metadata }
  }

  groups(): MetricGroup[] {
    return [...this.#groups.values()].map(({ dimensions, series }) => ({ dimensions, metrics: [...series.values()] }))
  }

  /** Moves another invocation's records into this one (the carry-over at the next flush). */
  absorb(groups: readonly MetricGroup[]): void {
    for (const group of groups) {
      for (const metric of group.metrics) {
        if (metric.unit === 'Count') this.count(metric.name, group.dimensions, metric.values[0] ?? 0)
        else for (const value of metric.values) this.duration(metric.name, group.dimensions, value)
      }
    }
  }

  /** Forgets what was recorded (the carry-over after it was absorbed). */
  clear(): void {
    this.#groups.clear()
  }

  #series(name: string, unit: MetricUnit, dimensions: Dimensions): MetricSeries {
    const key = groupKey(dimensions)
    let group = this.#groups.get(key)
    if (!group) {
      group = { dimensions, series: new Map() }
      this.#groups.set(key, group)
    }
    let series = group.series.get(name)
    if (!series) {
      series = { name, unit, values: [] }
      group.series.set(name, series)
    }
    return series
  }
}

/** Keys of frozen dimension objects (the instrumented operations reuse theirs), computed once. */
const frozenKeys = new WeakMap<Dimensions, string>()

function groupKey(dimensions: Dimensions): string {
  const known = frozenKeys.get(dimensions)
  if (known !== undefined) return known
  let key = ''
  for (const name in dimensions) key += `${name}\u0001${dimensions[name]}\u0002`
  if (Object.isFrozen(dimensions)) frozenKeys.set(dimensions, key)
  return key
}
