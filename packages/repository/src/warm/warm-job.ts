/**
 * The cache-warm job: for the hottest tenants, refreshes their hottest
 * queries and the configured warmers' queries in every tier before the
 * entries expire, so users rarely pay for a miss.
 *
 * It keeps to a time budget (no work starts after it, and the run returns at
 * it even if a query is still running), runs at most `concurrency` queries at
 * once, and is safe to start twice: a warm lock per key makes each key warm
 * once. A failing query is counted and skipped; Redis unreachable ends the
 * run at once with `redisUnavailable`; a database failure writes nothing.
 * Every query runs in its tenant's own scope (role viewer).
 */
import type { WarmOutcome } from '../cache/port.ts'
import { NotFoundError } from '../errors.ts'
import type { RepositoryClasses, RepositoryScope } from '../factory/repository-classes.ts'
import type { RepositoryFactory } from '../factory/repository-factory.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'

/**
 * Queries worth keeping warm for every active tenant, whether or not they
 * showed up in the sample. A warmer reads what it needs through `read` (a
 * normal scope) and warms through `warm` (a scope whose cached reads refresh
 * their entries).
 */
export interface Warmer<Scope> {
  name: string
  run(read: Scope, warm: Scope): Promise<void>
}

export interface WarmOptions<Scope = unknown> {
  /** Wall time the run may take. @default 20_000 */
  budgetMs?: number
  /** Queries in flight at once. @default 4 */
  concurrency?: number
  /** Tenants warmed, hottest first. @default 50 */
  tenants?: number
  /** Hot queries warmed per tenant. @default 25 */
  hottest?: number
  /** Queries every warmed tenant gets besides its hot ones. @default none */
  warmers?: readonly Warmer<Scope>[]
  /** The invocation the run's metrics go to. */
  metrics?: InvocationMetrics
  /** Called as tasks finish: for a progress bar. */
  onProgress?: (done: number, total: number) => void
  now?: () => number
}

export interface WarmReport {
  tenants: number
  warmed: number
  /** Warmed by a concurrent run, gone since (not found), not a cached read, or past the budget. */
  skipped: number
  failed: number
  durationMs: number
  stoppedByBudget: boolean
  redisUnavailable: boolean
}

type Task = () => Promise<void>

export async function runWarmJob<DB, Classes extends RepositoryClasses<DB>>(
  factory: RepositoryFactory<DB, Classes>,
  options: WarmOptions<RepositoryScope<DB, Classes>> = {},
): Promise<WarmReport> {
  const now = options.now ?? Date.now
  const started = now()
  const deadline = started + (options.budgetMs ?? 20_000)
  const report: WarmReport = {
    tenants: 0,
    warmed: 0,
    skipped: 0,
    failed: 0,
    durationMs: 0,
    stoppedByBudget: false,
    redisUnavailable: false,
  }
  const hot = factory.cache?.hotKeys
  const scopes: RepositoryScope<DB, Classes>[] = []
  try {
    const tenants = hot ? await hot.tenants(options.tenants ?? 50) : undefined
    if (!hot || !tenants) {
      report.redisUnavailable = true
      return report
    }
    const count = (outcome: WarmOutcome) => {
      if (outcome === 'warmed') report.warmed += 1
      else if (outcome === 'skipped') report.skipped += 1
      else report.redisUnavailable = true
    }
    const tasks: Task[] = []
    for (const orgId of tenants) {
      const queries = await hot.hottest(orgId, options.hottest ?? 25)
      if (!queries) {
        report.redisUnavailable = true
        return report
      }
      report.tenants += 1
      const scope = { orgId, role: 'viewer' as const }
      const read = factory.forTenant(scope, options.metrics ? { metrics: options.metrics } : {})
      const warm = factory.forTenant(scope, { warming: count, ...(options.metrics && { metrics: options.metrics }) })
      scopes.push(read, warm)
      for (const query of queries) {
        tasks.push(async () => {
          const replayed = warm.replay(query)
          if (replayed) await replayed
          else report.skipped += 1 // not a cached read (any more): nothing to warm
        })
      }
      for (const warmer of options.warmers ?? []) tasks.push(() => warmer.run(read, warm))
    }
    await runWithin(tasks, options.concurrency ?? 4, deadline, now, report, options.onProgress)
    return report
  } finally {
    report.durationMs = now() - started
    await Promise.all(scopes.map((scope) => scope.dispose().catch(() => {})))
    const metrics = options.metrics
    metrics?.count('WarmKeysWarmed', undefined, report.warmed)
    metrics?.count('WarmKeysSkipped', undefined, report.skipped)
    metrics?.count('WarmKeysFailed', undefined, report.failed)
    metrics?.duration('WarmDuration', {}, report.durationMs)
    if (report.redisUnavailable) metrics?.count('WarmRedisUnavailable')
  }
}

/** Runs `tasks`, `concurrency` at a time, starting none after `deadline` and returning at it. */
async function runWithin(
  tasks: readonly Task[],
  concurrency: number,
  deadline: number,
  now: () => number,
  report: WarmReport,
  onProgress: WarmOptions['onProgress'],
): Promise<void> {
  let next = 0
  let done = 0
  const lane = async () => {
    while (next < tasks.length && !report.redisUnavailable) {
      if (now() >= deadline) {
        report.stoppedByBudget = true
        return
      }
      const task = tasks[next++] as Task
      try {
        await task()
      } catch (error) {
        // A row deleted since it was hot has nothing to warm; anything else failed. The rest go on.
        if (error instanceof NotFoundError) report.skipped += 1
        else report.failed += 1
      }
      onProgress?.(++done, tasks.length)
    }
  }
  const lanes = Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane))
  let timer: ReturnType<typeof setTimeout> | undefined
  const budget = new Promise<'budget'>((resolve) => {
    timer = setTimeout(() => resolve('budget'), Math.max(0, deadline - now()))
  })
  const finished = await Promise.race([lanes.then(() => 'done' as const), budget])
  clearTimeout(timer)
  if (finished === 'budget') {
    report.stoppedByBudget = true
    report.skipped += tasks.length - done // still running or never started
    next = tasks.length // no lane starts another
  }
}
