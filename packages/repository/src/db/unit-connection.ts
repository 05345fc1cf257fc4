/**
 * The connection Kysely sees. What a statement costs depends on the unit of
 * work opened on it:
 *
 * - **autocommit** (plain Kysely use: migrations, health checks, maintenance):
 *   each statement on its own;
 * - **batch** (a tenant's read, or a write of one statement): each statement
 *   travels with the unit's prelude — the tenant's settings and whatever must
 *   precede it — as one transaction, in one round trip, on every driver
 *   (a one-statement write runs exactly one: the session hands it over
 *   compiled);
 * - **interactive** (a transaction the caller holds open; drivers with
 *   sessions only): BEGIN and the prelude wait and travel with the first
 *   statement, savepoints with the next one, COMMIT with whatever still waits.
 *   A transaction that ran nothing costs nothing.
 */
import { AbortedTransactionError, type DatabaseConnection, type QueryResult, type TransactionSettings } from 'kysely'
import { isServerError } from './connection-errors.ts'
import { beginStatement, type Session, type Statement, type StatementResult, type Transport } from './transport.ts'

export class TransactionsUnsupportedError extends Error {
  override readonly name = 'TransactionsUnsupportedError'
  constructor(driver: string) {
    super(
      `the ${driver} driver sends each transaction as one batch and cannot hold one open; ` +
        'use the neon driver (HTTP batches, WebSockets for interactive transactions), neon-pool or pg',
    )
  }
}

/** A transaction begun on a tenant's read or write unit would run without the unit's settings. */
export class NestedTransactionError extends Error {
  override readonly name = 'NestedTransactionError'
  constructor() {
    super("a transaction cannot begin inside a tenant's read or write; open it with repos.transaction()")
  }
}

const statement = (sql: string): Statement => ({ sql, parameters: [] })
const COMMIT = statement('commit')
const ROLLBACK = statement('rollback')

export class UnitConnection implements DatabaseConnection {
  readonly #transport: Transport
  readonly #driver: string
  /** The batch unit's prelude, sent with each of its statements. */
  #prelude: readonly Statement[] | undefined
  /** Interactive state: statements waiting for the next round trip, and whether any went out yet. */
  #interactive = false
  #waiting: Statement[] = []
  #begun = false
  #session: Session | undefined
  #broken = false

  constructor(transport: Transport, driver: string) {
    this.#transport = transport
    this.#driver = driver
  }

  /** Makes this connection a batch unit whose statements each travel with `prelude` (see the module comment). */
  openBatch(prelude: readonly Statement[]): void {
    this.#prelude = prelude
  }

  /** Queues a statement to travel with the next one (interactive transactions). */
  defer(waiting: Statement): void {
    this.#waiting.push(waiting)
  }

  async executeQuery<R>(compiled: Statement): Promise<QueryResult<R>> {
    if (this.#interactive) return (await this.#sendInteractive(compiled)) as QueryResult<R>
    const prelude = this.#prelude
    if (!prelude) return (await this.#autocommit(compiled)) as QueryResult<R>
    const results = await this.#transport.batch([...prelude, compiled])
    return results.at(-1) as QueryResult<R>
  }

  // biome-ignore lint/correctness/useYield: streaming is refused before anything is produced
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming results is not supported; page with limits instead')
  }

  begin(settings: TransactionSettings): void {
    if (this.#prelude) throw new NestedTransactionError()
    if (!this.#transport.openSession) throw new TransactionsUnsupportedError(this.#driver)
    this.#interactive = true
    this.#begun = false
    this.#waiting = [beginStatement(settings)]
  }

  async commit(): Promise<void> {
    if (!this.#begun) return this.#end() // nothing reached the server: nothing to commit
    const results = await this.#send([...this.#waiting, COMMIT])
    this.#end()
    if (results.at(-1)?.command === 'ROLLBACK') throw new AbortedTransactionError()
  }

  async rollback(): Promise<void> {
    if (!this.#begun) return this.#end()
    try {
      await this.#send([ROLLBACK])
    } finally {
      this.#end()
    }
  }

  /** Ends the unit; an interactive session goes back to its pool (closed if its state is unknown). */
  release(): void {
    const session = this.#session
    this.#session = undefined
    session?.release(this.#broken || this.#interactive)
    this.#prelude = undefined
    this.#interactive = false
    this.#waiting = []
    this.#broken = false
  }

  /** A statement outside any unit: on the connection's own session where the driver has them, else on its own. */
  #autocommit(compiled: Statement): Promise<StatementResult> {
    if (!this.#transport.sessionPerConnection) return this.#transport.execute(compiled)
    return this.#onSession((session) => session.execute(compiled))
  }

  async #sendInteractive(compiled: Statement): Promise<StatementResult> {
    // Without parameters a statement may hold several commands (DDL), which only the simple protocol takes.
    if (compiled.parameters.length === 0) {
      if (this.#waiting.length) await this.#send(this.#waiting)
      return this.#onSession((session) => session.execute(compiled))
    }
    const results = await this.#send([...this.#waiting, compiled])
    return results.at(-1) as StatementResult
  }

  #send(statements: Statement[]): Promise<StatementResult[]> {
    this.#waiting = []
    return this.#onSession((session) => session.pipeline(statements))
  }

  async #onSession<T>(work: (session: Session) => Promise<T>): Promise<T> {
    this.#session ??= await (this.#transport.openSession as () => Promise<Session>)()
    this.#begun = true // from here on, a transaction of this connection may have reached the server
    try {
      return await work(this.#session)
    } catch (error) {
      if (!isServerError(error)) this.#broken = true
      throw error
    }
  }

  #end(): void {
    this.#interactive = false
    this.#waiting = []
  }
}
