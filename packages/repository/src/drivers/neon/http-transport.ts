/**
 * A transport over Neon's HTTP endpoint (`neon()`): every batch is one HTTPS
 * request, `{queries: [...]}`, which Neon runs as one transaction — no
 * connection to open first, the cheapest path from a function at the edge.
 * It has no sessions, so interactive transactions need another transport.
 */
import { type FullQueryResults, type NeonQueryFunction, neon, types } from '@neondatabase/serverless'
import { addressOf, DatabaseUnreachableError, isServerError } from '../../db/connection-errors.ts'
import {
  type RoundTripObserver,
  type Statement,
  type StatementResult,
  statementResult,
  type Transport,
} from '../../db/transport.ts'
import { int8Parsers } from '../../db/type-parsers.ts'

/** int8 as numbers, as on the other drivers; every other type as the driver parses it. */
const INT8_AS_NUMBER = {
  getTypeParser: (oid: number, format?: string) =>
    int8Parsers[oid] ??
    (types.getTypeParser as (oid: number, format?: string) => (text: string) => unknown)(oid, format),
}

export class NeonHttpTransport implements Transport {
  readonly #sql: NeonQueryFunction<false, true>
  readonly #address: string
  readonly #onRoundTrip: RoundTripObserver | undefined

  constructor(connectionString: string, onRoundTrip?: RoundTripObserver) {
    this.#sql = neon(connectionString, { fullResults: true })
    this.#address = addressOf(connectionString)
    this.#onRoundTrip = onRoundTrip
  }

  readonly openSession = undefined
  readonly sessionPerConnection = false

  async batch(statements: readonly Statement[]): Promise<StatementResult[]> {
    this.#onRoundTrip?.(statements)
    const results = await this.#send(() => this.#sql.transaction(statements.map((statement) => this.#query(statement))))
    return results.map(toResult)
  }

  async execute(statement: Statement): Promise<StatementResult> {
    this.#onRoundTrip?.([statement])
    return toResult(await this.#send(() => this.#query(statement)))
  }

  async dispose(): Promise<void> {}

  #query(statement: Statement) {
    return this.#sql.query(statement.sql, [...statement.parameters], { types: INT8_AS_NUMBER })
  }

  /** Postgres errors pass through (they carry a SQLSTATE); any other failure names the server. */
  async #send<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      if (isServerError(error)) throw error
      throw new DatabaseUnreachableError(this.#address, (error as { sourceError?: unknown }).sourceError ?? error)
    }
  }
}

function toResult(result: FullQueryResults<false>): StatementResult {
  return statementResult(result.command, result.rows, result.rowCount)
}
