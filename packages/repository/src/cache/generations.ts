/**
 * What this isolate knows about invalidations: local generation counters
 * (bumped by its own writes, so its memory tier never answers with a value
 * it overwrote) and the invalidations Redis has not acknowledged yet (reads
 * that depend on them skip Redis, which may still hold the old value).
 */
const MAX_PENDING = 10_000

const tagKey = (orgId: string, tag: string) => `${orgId}\u0000${tag}`

export interface PendingSnapshot {
  byOrg: Map<string, string[]>
  /** The latest failure the snapshot saw. */
  failure: number
}

/** Counters kept at most; past it they are all dropped at once (see `LocalGenerations`). */
export const MAX_LOCAL_COUNTERS = 10_000

/**
 * An isolate's own bumps, one counter per organization and tag it wrote.
 * Bounded: when the map is full it is emptied and an epoch (part of every
 * stamp) moves on, so no counter ever repeats a value an entry was stamped
 * with — every memory entry stamped before is a miss, which costs little:
 * memory entries live seconds.
 */
export class LocalGenerations {
  readonly #counters = new Map<string, number>()
  readonly #max: number
  #epoch = 0

  constructor(max = MAX_LOCAL_COUNTERS) {
    this.#max = max
  }

  get size(): number {
    return this.#counters.size
  }

  of(orgId: string, tags: readonly string[]): number[] {
    return [this.#epoch, ...tags.map((tag) => this.#counters.get(tagKey(orgId, tag)) ?? 0)]
  }

  bump(orgId: string, tags: readonly string[]): void {
    if (this.#counters.size + tags.length > this.#max) {
      this.#counters.clear()
      this.#epoch += 1
    }
    for (const tag of tags) {
      const key = tagKey(orgId, tag)
      this.#counters.set(key, (this.#counters.get(key) ?? 0) + 1)
    }
  }
}

/**
 * Each pending tag carries the number of the failure that left it pending: a
 * retry removes it only if no newer failure of the same tag came meanwhile,
 * so an invalidation that failed after the retry's snapshot is kept.
 */
export class PendingInvalidations {
  readonly #pending = new Map<string, { orgId: string; tag: string; failure: number }>()
  #failures = 0
  /** More pending than we keep: every read skips Redis until a flush succeeds. */
  #overflowed = false

  get size(): number {
    return this.#pending.size
  }

  add(orgId: string, tags: readonly string[]): void {
    this.#failures += 1
    for (const tag of tags) this.#pending.set(tagKey(orgId, tag), { orgId, tag, failure: this.#failures })
    if (this.#pending.size > MAX_PENDING) this.#overflowed = true
  }

  /** Whether any invalidation of this organization is still pending. */
  hasAny(orgId: string): boolean {
    if (this.#overflowed) return true
    for (const pending of this.#pending.values()) if (pending.orgId === orgId) return true
    return false
  }

  affects(orgId: string, tags: readonly string[]): boolean {
    if (this.#overflowed) return true
    return tags.some((tag) => this.#pending.has(tagKey(orgId, tag)))
  }

  /** What is pending now, grouped by organization: a snapshot a retry sends and then settles. */
  snapshot(): PendingSnapshot {
    const byOrg = new Map<string, string[]>()
    for (const { orgId, tag } of this.#pending.values()) byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), tag])
    return { byOrg, failure: this.#failures }
  }

  /** Forgets tags Redis has now acknowledged, unless a newer failure left them pending again. */
  settle(orgId: string, tags: readonly string[], snapshot: PendingSnapshot): void {
    for (const tag of tags) {
      const key = tagKey(orgId, tag)
      if ((this.#pending.get(key)?.failure ?? 0) <= snapshot.failure) this.#pending.delete(key)
    }
    if (this.#pending.size === 0) this.#overflowed = false
  }
}
