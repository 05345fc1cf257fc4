/**
 * Runs repository work for one tenant on one database.
 *
 * Inside a transaction every query goes to that transaction. Outside one, a
 * write gets a transaction of its own (it may provision the organization and
 * must set the tenant for RLS), and so does a read when row-level security is
 * on. Each transaction first sets, in one statement, the organization, the
 * statement timeout and (with RLS) the role that policies bind.
 *
 * Metrics: transactions the caller opens record `TransactionDuration`,
 * `TransactionRollback` and `SavepointRollback`; an operation's own
 * transaction is measured as that operation. `TransactionRetry` counts every retry.
 */
import { type ControlledTransaction, type IsolationLevel, type Kysely, sql } from 'kysely'
import { isRetryable } from '../error-mapping.ts'
import { TransientError } from '../errors.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { DB } from '../schema/database.ts'
import { APP_ROLE, ORGANIZATION_SETTING } from '../tenancy/row-level-security.ts'
import type { TenantScope } from '../tenancy/scope.ts'
import { backoffDelay, sleep } from './retry.ts'
import type { SessionSettings } from './settings.ts'
import { type AfterCommitAction, TransactionFrame } from './transaction-frame.ts'

// savepoint names are tracked at run time, not in the type
type SavepointTransaction = ControlledTransaction<DB, string[]>

export interface TransactionOptions {
  /** Postgres isolation level of the outermost transaction; ignored for a nested one. */
  isolationLevel?: IsolationLevel
}

/** Organizations known to exist, per isolate: provisioning is skipped for them. */
export type ProvisionedOrganizations = Set<string>

/** What a session and the sessions of its transactions share. */
export interface SessionContext {
  scope: TenantScope
  settings: SessionSettings
  provisioned: ProvisionedOrganizations
  /** The invocation's metrics: transaction durations, rollbacks and retries go here. */
  metrics: InvocationMetrics
}

export class TenantSession {
  readonly #db: Kysely<DB>
  readonly #context: SessionContext
  readonly #frame: TransactionFrame | undefined

  constructor(db: Kysely<DB>, context: SessionContext, frame?: TransactionFrame) {
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

  /** The handle queries should use now: the open transaction, or the database. */
  get db(): Kysely<DB> {
    return this.#frame?.trx ?? this.#db
  }

  /** Runs one repository operation where it belongs (see the module comment). */
  async run<T>(mode: 'read' | 'write', work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    const frame = this.#frame
    if (frame) {
      if (mode === 'write') await this.#provisionOrganization(frame)
      return work(frame.trx)
    }
    if (mode === 'read' && !this.settings.rowLevelSecurity) return work(this.#db)
    // The operation's own transaction: its metrics are the operation's (a retry still counts).
    return this.#withRetry(() => this.#outermost((session) => session.run(mode, work), {}, false))
  }

  /**
   * Runs `work` in a transaction: the outermost call begins one (retried on
   * serialization failure or deadlock), a nested call makes a savepoint.
   * `work` may run more than once: side effects belong in `afterCommit`.
   */
  transaction<T>(work: (session: TenantSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const frame = this.#frame
    if (frame) return this.#savepoint(frame, work)
    return this.#measured(() => this.#withRetry(() => this.#outermost(work, options, true)))
  }

  /** Runs `action` once after the outermost COMMIT; never if the transaction or its savepoint rolls back. */
  afterCommit(action: AfterCommitAction): void {
    if (this.#frame) this.#frame.actions.push(action)
    else void this.#runActions([action])
  }

  async #outermost<T>(
    work: (session: TenantSession) => Promise<T>,
    options: TransactionOptions,
    explicit: boolean,
  ): Promise<T> {
    let begin = this.#db.startTransaction()
    if (options.isolationLevel) begin = begin.setIsolationLevel(options.isolationLevel)
    // A viewer's transactions are read-only, so the database refuses its writes too.
    if (this.scope.role === 'viewer') begin = begin.setAccessMode('read only')
    const trx = await begin.execute()
    const frame = new TransactionFrame(trx)
    try {
      await this.#configure(trx)
      const result = await work(new TenantSession(this.#db, this.#context, frame))
      await trx.commit().execute()
      if (frame.organizationProvisioned) this.#context.provisioned.add(this.scope.orgId)
      await this.#runActions(frame.actions)
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

  async #savepoint<T>(parent: TransactionFrame, work: (session: TenantSession) => Promise<T>): Promise<T> {
    const name = parent.nextSavepointName()
    const trx: SavepointTransaction = await parent.trx.savepoint(name).execute()
    const frame = new TransactionFrame(trx, parent)
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

  /** One statement: organization, statement timeout, and with RLS the role policies bind. */
  async #configure(trx: Kysely<DB>): Promise<void> {
    const timeout = String(this.settings.statementTimeoutMs)
    const role = this.settings.rowLevelSecurity ? sql`, set_config('role', ${APP_ROLE}, true)` : sql``
    await sql`select set_config(${ORGANIZATION_SETTING}, ${this.scope.orgId}, true),
      set_config('statement_timeout', ${timeout}, true)${role}`.execute(trx)
  }

  /** An organization named by a valid scope exists from its first write on (idempotent). */
  async #provisionOrganization(frame: TransactionFrame): Promise<void> {
    if (frame.organizationProvisioned || this.#context.provisioned.has(this.scope.orgId)) return
    await frame.trx
      .insertInto('organizations')
      .values({ id: this.scope.orgId, name: this.scope.orgId })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    frame.organizationProvisioned = true
  }

  async #withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    const policy = this.settings.retry
    for (let tried = 1; ; tried++) {
      try {
        return await attempt()
      } catch (error) {
        if (!isRetryable(error)) throw error
        if (tried >= policy.attempts) {
          throw new TransientError(`the transaction still conflicted after ${tried} attempts`, {}, { cause: error })
        }
        this.metrics.count('TransactionRetry')
        await sleep(backoffDelay(policy, tried))
      }
    }
  }

  /** `TransactionDuration` of a transaction the caller opened, its retries included. */
  async #measured<T>(transaction: () => Promise<T>): Promise<T> {
    const metrics = this.metrics
    if (!metrics.enabled) return transaction()
    const started = metrics.now()
    try {
      return await transaction()
    } finally {
      metrics.duration('TransactionDuration', {}, metrics.now() - started)
    }
  }

  async #runActions(actions: AfterCommitAction[]): Promise<void> {
    for (const action of actions) {
      try {
        await action()
      } catch (error) {
        // The transaction is committed: an action's failure is reported, not thrown.
        this.settings.logger.error('after-commit action failed', {
          orgId: this.scope.orgId,
          error: (error as Error)?.name,
          reason: (error as Error)?.message,
        })
      }
    }
  }
}
