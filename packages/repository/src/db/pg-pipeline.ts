/**
 * Several statements in one round trip over a node-postgres connection (pg's
 * `Client`, or the Neon driver's, which is the same code): each statement's
 * Parse, Bind, Describe and Execute are written at once, then a single Sync.
 * To the client this is one query (a "submittable"), answered by one
 * ReadyForQuery.
 *
 * Without an explicit BEGIN among them, Postgres runs everything up to the
 * Sync as one implicit transaction: it commits at the Sync, and an error rolls
 * the whole of it back (transaction-local settings end with it). Inside an
 * open transaction the statements simply run in it. After an error the server
 * skips the rest; the pipeline rejects with the first error.
 */
import { toWireValue } from './pg-values.ts'
import { type Statement, type StatementResult, statementResult } from './transport.ts'

/** The parts of node-postgres' `Connection` the pipeline writes to. */
interface WireConnection {
  parse(message: { text: string; name: string; types: number[] }): void
  bind(message: { portal: string; statement: string; values: Array<string | null> }): void
  describe(message: { type: 'P'; name: string }): void
  execute(message: { portal: string; rows: number }): void
  sync(): void
  sendCopyFail(message: string): void
  stream: { cork?: () => void; uncork?: () => void }
}

/** The parts of a node-postgres client the pipeline uses. */
export interface PipelineClient {
  query(submittable: object): unknown
  getTypeParser(oid: number, format?: string): (text: string) => unknown
}

interface FieldDescription {
  name: string
  dataTypeID: number
}

/** Sends `statements` in one write; resolves with every result, or rejects with the first error. */
export function runPipeline(client: PipelineClient, statements: readonly Statement[]): Promise<StatementResult[]> {
  return new Promise((resolve, reject) => {
    client.query(new Pipeline(client, statements, resolve, reject))
  })
}

class Pipeline {
  readonly #client: PipelineClient
  readonly #statements: readonly Statement[]
  readonly #resolve: (results: StatementResult[]) => void
  readonly #reject: (error: unknown) => void
  readonly #results: StatementResult[] = []
  #fields: FieldDescription[] = []
  #parsers: Array<(text: string) => unknown> = []
  #rows: Record<string, unknown>[] = []
  #settled = false

  constructor(
    client: PipelineClient,
    statements: readonly Statement[],
    resolve: (results: StatementResult[]) => void,
    reject: (error: unknown) => void,
  ) {
    this.#client = client
    this.#statements = statements
    this.#resolve = resolve
    this.#reject = reject
  }

  /** Called by the client when it is this query's turn: everything goes out in one write. */
  submit(connection: WireConnection): null {
    connection.stream.cork?.()
    try {
      for (const statement of this.#statements) {
        connection.parse({ text: statement.sql, name: '', types: [] })
        connection.bind({ portal: '', statement: '', values: statement.parameters.map(toWireValue) })
        connection.describe({ type: 'P', name: '' })
        connection.execute({ portal: '', rows: 0 })
      }
      connection.sync()
    } finally {
      connection.stream.uncork?.()
    }
    return null
  }

  handleRowDescription(message: { fields: FieldDescription[] }): void {
    this.#fields = message.fields
    this.#parsers = message.fields.map((field) => this.#client.getTypeParser(field.dataTypeID, 'text'))
  }

  handleDataRow(message: { fields: Array<string | null> }): void {
    const row: Record<string, unknown> = {}
    message.fields.forEach((text, index) => {
      const field = this.#fields[index] as FieldDescription
      row[field.name] = text === null ? null : (this.#parsers[index] as (text: string) => unknown)(text)
    })
    this.#rows.push(row)
  }

  handleCommandComplete(message: { text: string }): void {
    const [command = '', ...rest] = message.text.split(' ')
    const count = Number(rest.at(-1))
    this.#results.push(statementResult(command, this.#rows, Number.isFinite(count) ? count : null))
    this.#rows = []
    this.#fields = []
  }

  handleEmptyQuery(): void {
    this.#results.push({ command: '', rows: [] })
  }

  /** A statement failed (the server skips to the Sync) or the connection died. */
  handleError(error: unknown): void {
    if (this.#settled) return
    this.#settled = true
    this.#reject(error)
  }

  handleReadyForQuery(): void {
    if (this.#settled) return
    this.#settled = true
    this.#resolve(this.#results)
  }

  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('COPY is not supported in a pipeline')
  }
  handleCopyData(): void {}
}
