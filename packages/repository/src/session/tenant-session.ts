/**
 * Runs repository work for one tenant on one database, in as few round trips
 * as the work allows (`db/unit-connection.ts`): a read outside a transaction
 * travels with the tenant's settings as one read-only transaction, and a
 * one-statement write (`runOne`) with the settings, the organization's row
 * before its first write and its prelude — one round trip each; other write
 * work and the caller's transactions send BEGIN and the settings with their
 * first statement and COMMIT as one more trip; nested calls are savepoints.
 *
 * Every tenant setting is transaction-local, so none outlives its unit on a
 * pooled connection. After a unit commits, its cache tags go out as one
 * invalidation (whose write mark becomes the scope's consistency token), then
 * the after-commit actions run. Metrics: the caller's transactions record
 * `TransactionDuration`, `TransactionRollback` and `SavepointRollback`;
 * `TransactionRetry` counts every retry.
 */
import type { Kysely, QueryResult } from 'kysely'
import type { Statement } from '../db/transport.ts'
import { unitOf } from '../db/unit-dialect.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { TenantScope } from '../tenancy/scope.ts'
import { provisionOrganization, tenantSettings } from './prelude.ts'
import { withRetry } from './retry.ts'
import type { OneStatement, SessionContext, TransactionOptions, UnitHooks } from './session-types.ts'
import type { SessionSettings } from './settings.ts'
import { type AfterCommitAction, type OpenTransaction, runAfterCommit, TransactionFrame } from './transaction-frame.ts'
import { measuredTransaction } from './transaction-metrics.ts'

export class TenantSession<DB> {
  readonly #db: Kysely<DB>
  readonly #context: SessionContext
  readonly #frame: TransactionFrame<DB> | undefined

  constructor(db: Kysely<DB>, context: SessionContext, frame?: TransactionFrame<DB>) {
    this.#db = db
    this.#context = context
    this.#frame = frame
  }

  get scope(): TenantScope {
    return this.#context.scope
  }

  get settings(): SessionSettings {
    return this.#context.settings
  }

  get metrics(): InvocationMetrics {
    return this.#context.metrics
  }

  get inTransaction(): boolean {
    return this.#frame !== undefined
  }

  /** The handle raw queries should use now: the open transaction, or the database (each statement on its own). */
  get db(): Kysely<DB> {
    return this.#frame?.transaction?.trx ?? this.#db
  }

  /**
   * Runs one repository operation where it belongs (see the module comment).
   * `prelude` statements go first in the same round trip (inside a
   * transaction: with its next statement). Write work outside a transaction
   * gets one of its own.
   */
  async run<T>(
    mode: 'read' | 'write',
    work: (db: Kysely<DB>, hooks: UnitHooks) => Promise<T>,
    prelude: readonly Statement[] = [],
  ): Promise<T> {
    const frame = this.#frame
    if (frame?.transaction) {
      this.#enter(frame, mode, prelude)
      return work(frame.transaction.trx, frame)
    }
    if (mode === 'read') {
      return this.#inBatch([this.#tenantSettings(true), ...prelude], (db) => work(db, NO_HOOKS))
    }
    return this.#withRetry(() => this.#outermost((session) => session.run(mode, work, prelude), {}, false))
  }

  /**
   * Runs one write statement — built by `statement`, run exactly once — and
   * hands its result to `finish`. Outside a transaction it travels with the
   * tenant's settings and `prelude` as one transaction: one round trip,
   * committed with it. Tags `finish` invalidates go out after the commit,
   * also when `finish` throws.
   */
  async runOne<T>(
    statement: (db: Kysely<DB>) => OneStatement,
    finish: (result: QueryResult<Record<string, unknown>>, hooks: UnitHooks) => T,
    options: { prelude?: readonly Statement[]; watch?: (db: Kysely<DB>) => Kysely<DB> } = {},
  ): Promise<T> {
    const { prelude = [], watch = (db) => db } = options
    const execute = (db: Kysely<DB>) => {
      const watched = watch(db)
      return watched.executeQuery<Record<string, unknown>>(statement(watched))
    }
    const frame = this.#frame
    if (frame?.transaction) {
      this.#enter(frame, 'write', prelude)
      return finish(await execute(frame.transaction.trx), frame)
    }
    return this.#withRetry(async () => {
      const provisioning = this.#isProvisioned() ? [] : [provisionOrganization(this.scope.orgId)]
      const result = await this.#inBatch([this.#tenantSettings(false), ...provisioning, ...prelude], execute)
      this.#context.provisioned.add(this.scope.orgId)
      const committed = new TransactionFrame<DB>()
      try {
        return finish(result, committed)
      } finally {
        await this.#runAfterCommit(committed)
      }
    })
  }

  /**
   * Inside a transaction, runs `work` in a savepoint, so that its failure
   * (say, a unique violation the caller handles) leaves the transaction
   * usable; outside one, just runs it.
   */
  guarded<T>(work: () => Promise<T>): Promise<T> {
    const frame = this.#frame
    return frame?.transaction ? this.#savepoint(frame, frame.transaction, () => work()) : work()
  }

  /**
   * Runs `work` in a transaction: the outermost call begins one (retried on
   * serialization failure or deadlock), a nested call makes a savepoint.
   * `work` may run more than once: side effects belong in `afterCommit`.
   */
  transaction<T>(work: (session: TenantSession<DB>) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const frame = this.#frame
    if (frame?.transaction) return this.#savepoint(frame, frame.transaction, work)
    return measuredTransaction(this.metrics, () => this.#withRetry(() => this.#outermost(work, options, true)))
  }

  /** Runs `action` once after the outermost COMMIT; never if the transaction or its savepoint rolls back. */
  afterCommit(action: AfterCommitAction): void {
    if (this.#frame) {
      this.#frame.actions.push(action)
      return
    }
    const now = new TransactionFrame<DB>() // nothing waits to commit: the action runs at once
    now.actions.push(action)
    void this.#runAfterCommit(now)
  }

  #inBatch<T>(prelude: Statement[], work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.#db.connection().execute(async (db) => {
      ;(await unitOf(db)).openBatch(prelude)
      return work(db)
    })
  }

  /** A statement inside the open transaction: the organization's row before a first write, and its prelude, go first. */
  #enter(frame: TransactionFrame<DB>, mode: 'read' | 'write', prelude: readonly Statement[]): void {
    const unit = (frame.transaction as OpenTransaction<DB>).unit
    if (mode === 'write' && !frame.organizationProvisioned && !this.#isProvisioned()) {
      unit.defer(provisionOrganization(this.scope.orgId))
      frame.organizationProvisioned = true
    }
    for (const statement of prelude) unit.defer(statement)
  }

  /** `explicit`: the caller opened it (it is measured and counted as a transaction; an operation's own is the operation). */
  async #outermost<T>(
    work: (session: TenantSession<DB>) => Promise<T>,
    options: TransactionOptions,
    explicit: boolean,
  ): Promise<T> {
    let begin = this.#db.startTransaction()
    if (options.isolationLevel) begin = begin.setIsolationLevel(options.isolationLevel)
    // A viewer's transactions are read-only, so the database refuses its writes too.
    if (this.scope.role === 'viewer') begin = begin.setAccessMode('read only')
    const trx = await begin.execute() // BEGIN waits for the first statement: no round trip yet
    const transaction: OpenTransaction<DB> = { trx, unit: await unitOf(trx) }
    transaction.unit.defer(this.#tenantSettings(false))
    const frame = new TransactionFrame<DB>(transaction)
    try {
      const result = await work(new TenantSession(this.#db, this.#context, frame))
      await trx.commit().execute()
      if (frame.organizationProvisioned) this.#context.provisioned.add(this.scope.orgId)
      await this.#runAfterCommit(frame)
      return result
    } catch (error) {
      if (explicit) this.metrics.count('TransactionRollback')
      await trx
        .rollback()
        .execute()
        .catch(() => {}) // the connection may be gone; the error that got us here matters more
      throw error
    }
  }

  async #savepoint<T>(
    parent: TransactionFrame<DB>,
    transaction: OpenTransaction<DB>,
    work: (session: TenantSession<DB>) => Promise<T>,
  ): Promise<T> {
    const name = parent.nextSavepointName()
    const trx = await transaction.trx.savepoint(name).execute() // sent with the next statement
    const frame = new TransactionFrame({ trx, unit: transaction.unit }, parent)
    try {
      const result = await work(new TenantSession(this.#db, this.#context, frame))
      await trx.releaseSavepoint(name).execute()
      frame.mergeIntoParent()
      return result
    } catch (error) {
      this.metrics.count('SavepointRollback')
      // If even the rollback fails (the connection is gone), the outer transaction
      // fails with it; the caller should still see what went wrong first.
      await trx
        .rollbackToSavepoint(name)
        .execute()
        .catch(() => {})
      throw error
    }
  }

  #tenantSettings(readOnly: boolean): Statement {
    return tenantSettings(this.scope, this.settings, readOnly)
  }

  #isProvisioned(): boolean {
    return this.#context.provisioned.has(this.scope.orgId)
  }

  #withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    return withRetry(this.settings.retry, this.metrics, attempt)
  }

  #runAfterCommit(frame: TransactionFrame<DB>): Promise<void> {
    const { invalidate } = this.#context
    const { written } = this.#context
    return runAfterCommit(frame, {
      orgId: this.scope.orgId,
      logger: this.settings.logger,
      marked: (mark) => {
        written.mark = mark
      },
      ...(invalidate && { invalidate }),
    })
  }
}

const NO_HOOKS: UnitHooks = { invalidate: () => {} }
