/**
 * A transport over PGlite, Postgres compiled to WASM: the embedded default.
 * Nothing crosses a network, so a batch is simply its statements in a row,
 * between BEGIN and COMMIT.
 *
 * PGlite is one session. A transaction must own it from BEGIN to COMMIT, or a
 * concurrent statement would silently run inside someone else's transaction,
 * so every batch, statement and session runs under one lock.
 */
import { Mutex } from '../../db/mutex.ts'
import type { RoundTripObserver, Session, Statement, StatementResult, Transport } from '../../db/transport.ts'

/** What PGlite answers a statement with, as far as the transport reads it. */
interface PgliteResults<Row> {
  rows: Row[]
  affectedRows?: number
}

/**
 * The part of PGlite the transport uses, declared here rather than imported,
 * so the package's types hold where PGlite is not installed.
 */
export interface PgliteLike {
  query<Row>(sql: string, parameters?: unknown[]): Promise<PgliteResults<Row>>
  exec(sql: string): Promise<PgliteResults<unknown>[]>
  close(): Promise<void>
}

const BEGINS = /^\s*(begin|start\s+transaction)\b/i
const COMMITS = /^\s*commit\b/i
const ENDS = /^\s*(commit|rollback)\s*$/i
const ROLLS_BACK_TO_SAVEPOINT = /^\s*rollback\s+to\b/i

export class PgliteTransport implements Transport {
  readonly #open: () => Promise<PgliteLike>
  readonly #lock = new Mutex()
  readonly #onRoundTrip: RoundTripObserver | undefined
  #pglite: Promise<PgliteLike> | undefined
  #disposed = false

  constructor(open: () => Promise<PgliteLike>, onRoundTrip?: RoundTripObserver) {
    this.#open = open
    this.#onRoundTrip = onRoundTrip
  }

  async batch(statements: readonly Statement[]): Promise<StatementResult[]> {
    return this.#locked(async (pglite) => {
      this.#onRoundTrip?.(statements)
      await pglite.exec('begin')
      try {
        const results: StatementResult[] = []
        for (const statement of statements) results.push(await run(pglite, statement))
        await pglite.exec('commit')
        return results
      } catch (error) {
        await pglite.exec('rollback')
        throw error
      }
    })
  }

  execute(statement: Statement): Promise<StatementResult> {
    return this.#locked((pglite) => {
      this.#onRoundTrip?.([statement])
      return run(pglite, statement)
    })
  }

  readonly sessionPerConnection = true

  readonly openSession = async (): Promise<Session> => {
    const release = await this.#lock.acquire()
    let pglite: PgliteLike
    try {
      pglite = await this.#instance()
    } catch (error) {
      release()
      throw error
    }
    return new PgliteSession(pglite, release, this.#onRoundTrip)
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    const release = await this.#lock.acquire()
    try {
      await (await this.#pglite?.catch(() => undefined))?.close()
    } finally {
      release()
    }
  }

  async #locked<T>(work: (pglite: PgliteLike) => Promise<T>): Promise<T> {
    const release = await this.#lock.acquire()
    try {
      return await work(await this.#instance())
    } finally {
      release()
    }
  }

  #instance(): Promise<PgliteLike> {
    if (this.#disposed) return Promise.reject(new Error('the pglite database has been disposed'))
    this.#pglite ??= this.#open().catch((error) => {
      this.#pglite = undefined
      throw error
    })
    return this.#pglite
  }
}

/**
 * The single session, held for one transaction. Postgres answers COMMIT of a
 * transaction in which a statement failed with ROLLBACK; PGlite does not
 * report that command tag, so the session tracks it and answers `ROLLBACK`
 * itself, as the server would.
 */
class PgliteSession implements Session {
  readonly #pglite: PgliteLike
  readonly #release: () => void
  readonly #onRoundTrip: RoundTripObserver | undefined
  #inTransaction = false
  #aborted = false

  constructor(pglite: PgliteLike, release: () => void, onRoundTrip: RoundTripObserver | undefined) {
    this.#pglite = pglite
    this.#release = release
    this.#onRoundTrip = onRoundTrip
  }

  async pipeline(statements: readonly Statement[]): Promise<StatementResult[]> {
    this.#onRoundTrip?.(statements)
    const results: StatementResult[] = []
    for (const statement of statements) {
      const aborted = this.#aborted
      try {
        const result = await run(this.#pglite, statement)
        this.#track(statement)
        results.push(aborted && COMMITS.test(statement.sql) ? { command: 'ROLLBACK', rows: [] } : result)
      } catch (error) {
        if (this.#inTransaction) this.#aborted = true
        throw error
      }
    }
    return results
  }

  execute(statement: Statement): Promise<StatementResult> {
    return this.pipeline([statement]).then((results) => results[0] as StatementResult)
  }

  release(): void {
    // A session given back mid-transaction (its caller failed) must not leave one open for the next.
    const open = this.#inTransaction
    this.#inTransaction = false
    this.#aborted = false
    if (!open) {
      this.#release()
      return
    }
    void this.#pglite
      .exec('rollback')
      .catch(() => {})
      .finally(this.#release)
  }

  #track(statement: Statement): void {
    if (BEGINS.test(statement.sql)) {
      this.#inTransaction = true
      this.#aborted = false
    } else if (ENDS.test(statement.sql)) {
      this.#inTransaction = false
      this.#aborted = false
    } else if (ROLLS_BACK_TO_SAVEPOINT.test(statement.sql)) {
      this.#aborted = false
    }
  }
}

/** Like node-postgres: without parameters the simple protocol (several commands allowed); with them one bound statement. */
async function run(pglite: PgliteLike, statement: Statement): Promise<StatementResult> {
  const result =
    statement.parameters.length === 0
      ? (await pglite.exec(statement.sql)).at(-1)
      : await pglite.query<Record<string, unknown>>(statement.sql, [...statement.parameters])
  if (!result) throw new Error('pglite returned no result')
  return {
    command: '',
    rows: result.rows as Record<string, unknown>[],
    ...(result.affectedRows !== undefined && { numAffectedRows: BigInt(result.affectedRows) }),
  }
}
