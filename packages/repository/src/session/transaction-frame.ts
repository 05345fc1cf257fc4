/**
 * What waits for a commit: the cache tags a unit of work made obsolete (sent
 * as one invalidation, however many writes named them) and the caller's
 * after-commit actions. Every unit has one: a one-statement write, a
 * transaction, and each savepoint inside it.
 *
 * A savepoint's frame hands its work to the parent when it is released;
 * rolling back to it throws it away, so nothing a rolled-back savepoint
 * collected can ever run.
 */
import type { ControlledTransaction } from 'kysely'
import type { WriteMark } from '../cache/port.ts'
import type { UnitConnection } from '../db/unit-connection.ts'
import type { Logger } from '../logger.ts'

export type AfterCommitAction = () => void | Promise<void>

/** The open transaction a frame belongs to: its Kysely handle and the connection statements wait on. */
export interface OpenTransaction<DB> {
  // savepoint names are tracked at run time, not in the type
  readonly trx: ControlledTransaction<DB, string[]>
  readonly unit: UnitConnection
}

export class TransactionFrame<DB = unknown> {
  readonly tags = new Set<string>()
  readonly actions: AfterCommitAction[] = []
  organizationProvisioned: boolean
  #savepoints = 0

  constructor(
    /** Undefined for a one-statement write, which commits with its statement. */
    readonly transaction?: OpenTransaction<DB>,
    readonly parent?: TransactionFrame<DB>,
  ) {
    this.organizationProvisioned = parent?.organizationProvisioned ?? false
  }

  invalidate(tags: readonly string[]): void {
    for (const tag of tags) this.tags.add(tag)
  }

  /** A savepoint name unique within the outermost transaction. */
  nextSavepointName(): string {
    const root = this.root()
    root.#savepoints += 1
    return `sp_${root.#savepoints}`
  }

  /** Called when this savepoint is released: its work now belongs to the parent. */
  mergeIntoParent(): void {
    if (!this.parent) return
    this.parent.invalidate([...this.tags])
    this.parent.actions.push(...this.actions)
    this.parent.organizationProvisioned ||= this.organizationProvisioned
  }

  root(): TransactionFrame<DB> {
    return this.parent ? this.parent.root() : this
  }
}

/** Where a committed frame's work goes: the cache's invalidation, and the log for what fails. */
export interface AfterCommitTarget {
  orgId: string
  invalidate?: (orgId: string, tags: readonly string[]) => Promise<WriteMark>
  /** Told the write mark the invalidation answered. */
  marked?: (mark: WriteMark) => void
  logger: Logger
}

/**
 * A committed unit's tags as one invalidation — one request however many
 * writes named them — then its actions; failures are reported, not thrown
 * (the unit has committed).
 */
export async function runAfterCommit<DB>(frame: TransactionFrame<DB>, target: AfterCommitTarget): Promise<void> {
  const { orgId, invalidate, logger } = target
  const tags = [...frame.tags]
  const steps: AfterCommitAction[] = [
    ...(invalidate && tags.length ? [async () => target.marked?.(await invalidate(orgId, tags))] : []),
    ...frame.actions,
  ]
  for (const step of steps) {
    try {
      await step()
    } catch (error) {
      logger.error('after-commit action failed', {
        orgId,
        error: (error as Error)?.name,
        reason: (error as Error)?.message,
      })
    }
  }
}
