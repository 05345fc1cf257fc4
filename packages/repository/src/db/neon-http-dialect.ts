/**
 * A Kysely dialect over Neon's HTTP `neon()` function: each statement is one
 * HTTPS request, with no connection to open first — the cheapest path for a
 * one-shot read from a cold function. It has no sessions, so it refuses
 * transactions; those go through the WebSocket pool.
 */
import { type FullQueryResults, type NeonQueryFunction, neon } from '@neondatabase/serverless'
import type { DatabaseConnection, Driver, QueryResult } from 'kysely'
import { PostgresFamilyDialect } from './postgres-family-dialect.ts'
import { PG_TYPE, parseInt8 } from './type-parsers.ts'

export class TransactionsUnsupportedError extends Error {
  override readonly name = 'TransactionsUnsupportedError'
  constructor() {
    super('the neon-http driver runs one statement per request and cannot hold a transaction; use neon-pool')
  }
}

export class NeonHttpDialect extends PostgresFamilyDialect {
  readonly #connectionString: string

  constructor(connectionString: string) {
    super()
    this.#connectionString = connectionString
  }

  createDriver(): Driver {
    return new NeonHttpDriver(neon(this.#connectionString, { fullResults: true }))
  }
}

class NeonHttpDriver implements Driver {
  readonly #connection: NeonHttpConnection

  constructor(query: NeonQueryFunction<false, true>) {
    this.#connection = new NeonHttpConnection(query)
  }

  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection
  }
  async beginTransaction(): Promise<void> {
    throw new TransactionsUnsupportedError()
  }
  async commitTransaction(): Promise<void> {
    throw new TransactionsUnsupportedError()
  }
  async rollbackTransaction(): Promise<void> {
    throw new TransactionsUnsupportedError()
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

class NeonHttpConnection implements DatabaseConnection {
  readonly #query: NeonQueryFunction<false, true>

  constructor(query: NeonQueryFunction<false, true>) {
    this.#query = query
  }

  async executeQuery<R>(compiled: { sql: string; parameters: readonly unknown[] }): Promise<QueryResult<R>> {
    const result = await this.#query.query(compiled.sql, [...compiled.parameters])
    return {
      rows: withInt8Parsed(result) as R[],
      numAffectedRows: WRITE_COMMANDS.has(result.command) ? BigInt(result.rowCount) : undefined,
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is refused before anything is produced
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the neon-http driver cannot stream results; use neon-pool')
  }
}

/** The driver parses int8 to strings like node-postgres; make them numbers as on the other drivers. */
function withInt8Parsed(result: FullQueryResults<false>): Record<string, unknown>[] {
  const int8Columns = result.fields
    .filter((field) => field.dataTypeID === PG_TYPE.int8 || field.dataTypeID === PG_TYPE.int8Array)
    .map((field) => field.name)
  if (int8Columns.length === 0) return result.rows
  return result.rows.map((row) => {
    const copy = { ...row }
    for (const name of int8Columns) copy[name] = int8ToNumber(copy[name])
    return copy
  })
}

/** Arrays arrive already split by the driver, into strings (or nulls). */
function int8ToNumber(value: unknown): unknown {
  if (typeof value === 'string') return parseInt8(value)
  if (Array.isArray(value)) return value.map(int8ToNumber)
  return value
}
