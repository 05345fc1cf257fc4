/**
 * A Kysely dialect over PGlite (Postgres in WASM), written here because the
 * published ones lag PGlite 0.5 and lack Kysely's savepoint API.
 *
 * PGlite is one session. A transaction must own it from BEGIN to COMMIT, or a
 * concurrent query would silently run inside someone else's transaction, so
 * the driver hands out its single connection under a lock.
 */
import type { PGlite } from '@electric-sql/pglite'
import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { Mutex } from './mutex.ts'
import { PostgresFamilyDialect } from './postgres-family-dialect.ts'

/** The part of PGlite the driver uses. */
export type PgliteLike = Pick<PGlite, 'query' | 'exec' | 'close'>

export interface PgliteDialectConfig {
  /** Opens (or returns) the PGlite instance; called once, on first use. */
  open: () => Promise<PgliteLike>
}

export class PgliteDialect extends PostgresFamilyDialect {
  readonly #config: PgliteDialectConfig

  constructor(config: PgliteDialectConfig) {
    super()
    this.#config = config
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#config.open)
  }
}

class PgliteConnection implements DatabaseConnection {
  readonly #pglite: PgliteLike
  /**
   * Postgres answers COMMIT of a transaction in which a statement failed with
   * ROLLBACK. PGlite does not report that command tag, so the connection
   * tracks it: a failure inside a transaction (not undone by rolling back to
   * a savepoint) makes the commit an AbortedTransactionError, as on node-postgres.
   */
  inTransaction = false
  aborted = false

  constructor(pglite: PgliteLike) {
    this.#pglite = pglite
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      // Like node-postgres: without parameters use the simple protocol, which
      // allows several statements (migrations); with them, one bound statement.
      const result =
        compiled.parameters.length === 0
          ? lastOf(await this.#pglite.exec(compiled.sql))
          : await this.#pglite.query<R>(compiled.sql, [...compiled.parameters])
      return {
        rows: result.rows as R[],
        numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
      }
    } catch (error) {
      if (this.inTransaction) this.aborted = true
      throw error
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is refused before anything is produced
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the pglite driver does not stream results')
  }
}

class PgliteDriver implements Driver {
  readonly #open: () => Promise<PgliteLike>
  readonly #lock = new Mutex()
  readonly #releases = new WeakMap<PgliteConnection, () => void>()
  #pglite?: PgliteLike
  #connection?: PgliteConnection

  constructor(open: () => Promise<PgliteLike>) {
    this.#open = open
  }

  async init(): Promise<void> {
    this.#pglite = await this.#open()
    this.#connection = new PgliteConnection(this.#pglite)
  }

  async acquireConnection(): Promise<PgliteConnection> {
    const release = await this.#lock.acquire()
    if (!this.#connection) {
      release()
      throw new Error('the pglite driver has been destroyed')
    }
    this.#releases.set(this.#connection, release)
    return this.#connection
  }

  async releaseConnection(connection: PgliteConnection): Promise<void> {
    this.#releases.get(connection)?.()
    this.#releases.delete(connection)
  }

  async beginTransaction(connection: PgliteConnection, settings: TransactionSettings): Promise<void> {
    const modes = [settings.isolationLevel && `isolation level ${settings.isolationLevel}`, settings.accessMode]
    const sql = modes.some(Boolean) ? `start transaction ${modes.filter(Boolean).join(' ')}` : 'begin'
    await connection.executeQuery(CompiledQuery.raw(sql))
    connection.inTransaction = true
    connection.aborted = false
  }
  async commitTransaction(connection: PgliteConnection): Promise<void> {
    const aborted = connection.aborted
    connection.inTransaction = false
    connection.aborted = false
    await connection.executeQuery(CompiledQuery.raw('commit'))
    if (aborted) throw new AbortedTransactionError()
  }
  async rollbackTransaction(connection: PgliteConnection): Promise<void> {
    connection.inTransaction = false
    connection.aborted = false
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }
  async savepoint(connection: PgliteConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`))
  }
  async rollbackToSavepoint(connection: PgliteConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`))
    connection.aborted = false
  }
  async releaseSavepoint(connection: PgliteConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`))
  }

  async destroy(): Promise<void> {
    const pglite = this.#pglite
    this.#pglite = undefined
    this.#connection = undefined
    await pglite?.close()
  }
}

function lastOf<T>(results: T[]): T {
  const last = results.at(-1)
  if (last === undefined) throw new Error('pglite returned no result')
  return last
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
