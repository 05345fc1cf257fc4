/**
 * The organizations an isolate knows exist, so a write skips provisioning
 * them. Bounded: when full it forgets them all at once — the next write of
 * each simply provisions again, in its own round trip (an idempotent insert),
 * so forgetting costs no trip and loses nothing.
 */
export const MAX_PROVISIONED = 10_000

export class ProvisionedOrganizations {
  readonly #known = new Set<string>()
  readonly #max: number

  constructor(max = MAX_PROVISIONED) {
    this.#max = max
  }

  get size(): number {
    return this.#known.size
  }

  has(orgId: string): boolean {
    return this.#known.has(orgId)
  }

  add(orgId: string): void {
    if (this.#known.has(orgId)) return
    if (this.#known.size >= this.#max) this.#known.clear()
    this.#known.add(orgId)
  }
}
