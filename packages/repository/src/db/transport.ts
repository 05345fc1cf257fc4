/**
 * What this package needs from a database driver, below Kysely. Latency in
 * serverless is round trips, so the unit of work is a batch: statements that
 * run in order as one transaction and travel together, in one round trip, on
 * every driver (a pipeline over a pooled connection, one HTTP request to
 * Neon, or in-process calls to PGlite). Drivers that hold connections also
 * open sessions, for interactive transactions.
 */
import type { QueryResult, TransactionSettings } from 'kysely'

/** A statement as Kysely compiles it: SQL with `$n` placeholders and its parameters. */
export interface Statement {
  readonly sql: string
  readonly parameters: readonly unknown[]
}

/** A statement's rows, with the command tag the server answered (`INSERT`, `COMMIT`, `ROLLBACK`, …). */
export interface StatementResult extends QueryResult<Record<string, unknown>> {
  readonly command: string
}

export interface Transport {
  /**
   * Runs `statements` in order as one transaction, in one round trip: all or
   * nothing. Rejects with the first error; transaction-local settings made by
   * one statement (`set_config(…, true)`, read-only mode included) hold for
   * the later ones and end with the batch.
   */
  batch(statements: readonly Statement[]): Promise<StatementResult[]>
  /** One statement outside any transaction. Without parameters it may hold several commands (migrations). */
  execute(statement: Statement): Promise<StatementResult>
  /** Holds a connection for an interactive transaction; undefined when the driver has no sessions (HTTP). */
  readonly openSession: (() => Promise<Session>) | undefined
  /**
   * Whether a Kysely connection holds one session for its statements outside
   * transactions, as node-postgres' connections do (session settings and
   * advisory locks then last across them). False where statements outside
   * transactions go over HTTP.
   */
  readonly sessionPerConnection: boolean
  /** Closes every connection; safe to call twice. */
  dispose(): Promise<void>
}

/** One held connection. */
export interface Session {
  /** Sends `statements` on this connection in one round trip; rejects with the first error. */
  pipeline(statements: readonly Statement[]): Promise<StatementResult[]>
  /** One statement on this connection; without parameters it may hold several commands (migrations). */
  execute(statement: Statement): Promise<StatementResult>
  /** Gives the connection back; `broken` closes it instead (it failed, or its transaction state is unknown). */
  release(broken: boolean): void
}

/** Sees each round trip a transport makes, with the statements it carried (tests count them; benchmarks too). */
export type RoundTripObserver = (statements: readonly Statement[]) => void

/** The BEGIN of an interactive transaction, with Kysely's settings. */
export function beginStatement(settings: TransactionSettings): Statement {
  const modes = [settings.isolationLevel && `isolation level ${settings.isolationLevel}`, settings.accessMode].filter(
    Boolean,
  )
  return { sql: modes.length ? `start transaction ${modes.join(' ')}` : 'begin', parameters: [] }
}

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

/** A statement's result from its command tag and row count: rows, and how many a write touched. */
export function statementResult(
  command: string,
  rows: Record<string, unknown>[],
  rowCount: number | null,
): StatementResult {
  return {
    command,
    rows,
    ...(WRITE_COMMANDS.has(command) && { numAffectedRows: BigInt(rowCount ?? 0) }),
  }
}
