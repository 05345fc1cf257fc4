/**
 * What this isolate knows about invalidations: local generation counters
 * (bumped by its own writes, so its memory tier never answers with a value
 * it overwrote) and the invalidations Redis has not acknowledged yet (reads
 * that depend on them skip Redis, which may still hold the old value).
 */
const MAX_PENDING = 10_000

const tagKey = (orgId: string, tag: string) => `${orgId}\u0000${tag}`

export class LocalGenerations {
  readonly #counters = new Map<string, number>()

  of(orgId: string, tags: readonly string[]): number[] {
    return tags.map((tag) => this.#counters.get(tagKey(orgId, tag)) ?? 0)
  }

  bump(orgId: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const key = tagKey(orgId, tag)
      this.#counters.set(key, (this.#counters.get(key) ?? 0) + 1)
    }
  }
}

export class PendingInvalidations {
  readonly #pending = new Map<string, { orgId: string; tag: string }>()
  /** More pending than we keep: every read skips Redis until a flush succeeds. */
  #overflowed = false

  get size(): number {
    return this.#pending.size
  }

  add(orgId: string, tags: readonly string[]): void {
    for (const tag of tags) this.#pending.set(tagKey(orgId, tag), { orgId, tag })
    if (this.#pending.size > MAX_PENDING) this.#overflowed = true
  }

  affects(orgId: string, tags: readonly string[]): boolean {
    if (this.#overflowed) return true
    return tags.some((tag) => this.#pending.has(tagKey(orgId, tag)))
  }

  /** Everything pending, grouped by organization (a copy: retries remove what they sent). */
  byOrganization(): Map<string, string[]> {
    const byOrg = new Map<string, string[]>()
    for (const { orgId, tag } of this.#pending.values()) byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), tag])
    return byOrg
  }

  /** Forgets tags whose invalidation Redis has now acknowledged. */
  remove(orgId: string, tags: readonly string[]): void {
    for (const tag of tags) this.#pending.delete(tagKey(orgId, tag))
    if (this.#pending.size === 0) this.#overflowed = false
  }
}
