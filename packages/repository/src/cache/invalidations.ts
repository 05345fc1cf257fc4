/**
 * Invalidation by tag generations, in both places an entry can be: this
 * isolate's own counters, bumped at once so its memory tier never answers
 * with a value it overwrote, and Redis's, bumped in one request. A bump
 * Redis misses stays pending and is retried beside later reads, at most once
 * a second; until it lands, reads of its tags skip Redis, which may still
 * hold the old value. Nothing is ever deleted or scanned.
 */
import type { CacheContext } from './cache-context.ts'
import { LocalGenerations, PendingInvalidations } from './generations.ts'
import type { WriteMark } from './port.ts'

const RETRY_INTERVAL_MS = 1_000

export class Invalidations {
  readonly #context: CacheContext
  readonly #local = new LocalGenerations()
  readonly #pending = new PendingInvalidations()
  #lastRetry = 0

  constructor(context: CacheContext) {
    this.#context = context
  }

  /** This isolate's generations of the tags: what a memory entry is stamped with, and checked against. */
  localGenerations(orgId: string, tags: readonly string[]): number[] {
    return this.#local.of(orgId, tags)
  }

  /** Whether an invalidation of one of these tags has yet to reach Redis: then reads of them skip it. */
  pendingFor(orgId: string, tags: readonly string[]): boolean {
    return this.#pending.affects(orgId, tags)
  }

  /** Invalidations Redis has not acknowledged yet. */
  get pendingCount(): number {
    return this.#pending.size
  }

  get localCount(): number {
    return this.#local.size
  }

  /**
   * Makes every entry that depends on `tags` obsolete: in this isolate at
   * once, in Redis with one request. If Redis cannot be reached the bump is
   * kept and retried, and until then reads of those tags skip Redis.
   */
  async invalidate(orgId: string, tags: readonly string[]): Promise<WriteMark> {
    this.#local.bump(orgId, tags)
    if (!this.#context.tiers.redis) return 'database'
    const mark = await this.#bumpInRedis(orgId, tags)
    // while an earlier invalidation of the organization has not reached Redis, Redis cannot vouch
    return mark === undefined || this.#pending.hasAny(orgId) ? 'database' : mark
  }

  /** Sends what is pending again, unless a retry started less than a second ago. */
  async retryPending(): Promise<void> {
    if (this.#pending.size === 0 || !this.#context.tiers.redis) return
    const now = Date.now()
    if (now - this.#lastRetry < RETRY_INTERVAL_MS) return
    this.#lastRetry = now
    // all organizations at once: on Lambda a read waits for this pass, bounded by one Redis timeout
    const snapshot = this.#pending.snapshot()
    await Promise.all(
      [...snapshot.byOrg].map(async ([orgId, tags]) => {
        if ((await this.#bumpInRedis(orgId, tags)) !== undefined) this.#pending.settle(orgId, tags, snapshot)
      }),
    )
  }

  /** The new write mark once Redis has the bump; otherwise the tags stay pending. */
  async #bumpInRedis(orgId: string, tags: readonly string[]): Promise<number | undefined> {
    const { tiers, stats } = this.#context
    if (!tiers.redis) return undefined
    const keys = this.#context.generationKeysOf(orgId, tags)
    const sent = await tiers.redis.bump(this.#context.markKeyOf(orgId), keys, this.#context.counterTtlMs)
    if (sent !== undefined) {
      stats.invalidationsSent += 1
    } else {
      stats.invalidationsFailed += 1
      this.#pending.add(orgId, tags)
    }
    return sent
  }
}
