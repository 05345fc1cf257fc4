/**
 * The state of one open transaction or savepoint: the connection-bound
 * Kysely handle, the actions to run after the outermost COMMIT, and whether
 * this tenant's organization row was written in it.
 *
 * A savepoint gets a frame of its own; releasing it hands its actions and
 * state to the parent, rolling back to it throws them away, so nothing a
 * rolled-back savepoint collected can ever run.
 */
import type { ControlledTransaction } from 'kysely'
import type { DB } from '../schema/database.ts'

export type AfterCommitAction = () => void | Promise<void>

export class TransactionFrame {
  readonly actions: AfterCommitAction[] = []
  organizationProvisioned: boolean
  #savepoints = 0

  constructor(
    // savepoint names are tracked at run time, not in the type
    readonly trx: ControlledTransaction<DB, string[]>,
    readonly parent?: TransactionFrame,
  ) {
    this.organizationProvisioned = parent?.organizationProvisioned ?? false
  }

  /** A savepoint name unique within the outermost transaction. */
  nextSavepointName(): string {
    const root = this.parent ? this.root() : this
    root.#savepoints += 1
    return `sp_${root.#savepoints}`
  }

  /** Called when this savepoint is released: its work now belongs to the parent. */
  mergeIntoParent(): void {
    if (!this.parent) return
    this.parent.actions.push(...this.actions)
    this.parent.organizationProvisioned ||= this.organizationProvisioned
  }

  root(): TransactionFrame {
    return this.parent ? this.parent.root() : this
  }
}
