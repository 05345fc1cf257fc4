/**
 * The Kysely dialect of every driver here: Postgres SQL, compiled by Kysely,
 * run through a `Transport` by `UnitConnection`s. Kysely's transaction calls
 * become interactive units; savepoint commands wait for the next statement.
 */
import type { DatabaseConnection, Driver, Kysely, TransactionSettings } from 'kysely'
import { PostgresFamilyDialect } from './postgres-family-dialect.ts'
import type { Transport } from './transport.ts'
import { UnitConnection } from './unit-connection.ts'

export class UnitDialect extends PostgresFamilyDialect {
  readonly #transport: Transport
  readonly #driver: string

  constructor(transport: Transport, driver: string) {
    super()
    this.#transport = transport
    this.#driver = driver
  }

  createDriver(): Driver {
    return new UnitDriver(this.#transport, this.#driver)
  }
}

class UnitDriver implements Driver {
  readonly #transport: Transport
  readonly #driver: string

  constructor(transport: Transport, driver: string) {
    this.#transport = transport
    this.#driver = driver
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new UnitConnection(this.#transport, this.#driver)
  }

  async beginTransaction(connection: UnitConnection, settings: TransactionSettings): Promise<void> {
    connection.begin(settings)
  }
  commitTransaction(connection: UnitConnection): Promise<void> {
    return connection.commit()
  }
  rollbackTransaction(connection: UnitConnection): Promise<void> {
    return connection.rollback()
  }
  async savepoint(connection: UnitConnection, name: string): Promise<void> {
    connection.defer({ sql: `savepoint ${quoteIdentifier(name)}`, parameters: [] })
  }
  async rollbackToSavepoint(connection: UnitConnection, name: string): Promise<void> {
    connection.defer({ sql: `rollback to savepoint ${quoteIdentifier(name)}`, parameters: [] })
  }
  async releaseSavepoint(connection: UnitConnection, name: string): Promise<void> {
    connection.defer({ sql: `release savepoint ${quoteIdentifier(name)}`, parameters: [] })
  }
  async releaseConnection(connection: UnitConnection): Promise<void> {
    connection.release()
  }
  destroy(): Promise<void> {
    return this.#transport.dispose()
  }
}

/**
 * The `UnitConnection` a Kysely handle runs on, for handles bound to one
 * connection (inside `db.connection().execute()` or a transaction).
 */
export async function unitOf<DB>(db: Kysely<DB>): Promise<UnitConnection> {
  const connection = await db.getExecutor().provideConnection(async (c) => c)
  if (!(connection instanceof UnitConnection)) throw new TypeError('this Kysely handle is not one of the package’s')
  return connection
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
