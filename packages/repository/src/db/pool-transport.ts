/**
 * A transport over a pool of node-postgres connections: node-postgres itself
 * (`pg`, TCP, any Postgres) or the Neon driver's `Pool` (WebSockets). Both
 * hand out the same client, so batches and sessions pipeline their
 * statements the same way (`pg-pipeline.ts`): one write, one Sync, one
 * round trip.
 */
import type { PoolOptions } from './config.ts'
import { addressOf, DatabaseUnreachableError, isServerError } from './connection-errors.ts'
import { type PipelineClient, runPipeline } from './pg-pipeline.ts'
import {
  type RoundTripObserver,
  type Session,
  type Statement,
  type StatementResult,
  statementResult,
  type Transport,
} from './transport.ts'
import { PG_TYPE, parseInt8, parseInt8Array } from './type-parsers.ts'

/** The parts of a pooled node-postgres client this uses. */
export interface PooledClient extends PipelineClient {
  query(text: string, values?: unknown[]): Promise<RawResult | RawResult[]>
  query(submittable: object): unknown
  setTypeParser(oid: number, parse: (text: string) => unknown): void
  on(event: 'error', listener: (error: Error) => void): unknown
  release(destroy?: boolean): void
}

interface RawResult {
  command: string
  rowCount: number | null
  rows: Record<string, unknown>[]
}

/** The parts of `pg.Pool` (or Neon's `Pool`) this uses. */
export interface ClientPool {
  connect(): Promise<PooledClient>
  on(event: 'connect', listener: (client: PooledClient) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  end(): Promise<void>
}

/** A pool's constructor as node-postgres (`pg.Pool`) and the Neon driver (`Pool`) both shape it. */
export type PoolConstructor = new (config: {
  connectionString: string
  max: number
  idleTimeoutMillis: number
  connectionTimeoutMillis: number
}) => unknown

/** A pool of `Pool`'s clients for the database `config` names, with the package's defaults. */
export function openPoolTransport(
  Pool: PoolConstructor,
  config: PoolOptions & { connectionString: string },
  options: Omit<PoolTransportOptions, 'address'>,
): PoolTransport {
  const { connectionString } = config
  const pool = new Pool({
    connectionString,
    max: config.maxConnections ?? 5,
    idleTimeoutMillis: config.idleTimeoutMs ?? 10_000,
    connectionTimeoutMillis: config.connectionTimeoutMs ?? 10_000,
  }) as ClientPool
  return new PoolTransport(pool, {
    address: addressOf(connectionString),
    ...(options.onIdleConnectionError && { onIdleConnectionError: options.onIdleConnectionError }),
    ...(options.onRoundTrip && { onRoundTrip: options.onRoundTrip }),
  })
}

export interface PoolTransportOptions {
  /** `host:port` named when a connection cannot be opened. */
  address: string
  /** An idle pooled connection failed; the pool replaces it on demand. */
  onIdleConnectionError?: (error: Error) => void
  onRoundTrip?: RoundTripObserver
}

export class PoolTransport implements Transport {
  readonly #pool: ClientPool
  readonly #options: PoolTransportOptions
  #ended: Promise<void> | undefined

  constructor(pool: ClientPool, options: PoolTransportOptions) {
    this.#pool = pool
    this.#options = options
    pool.on('connect', (client) => {
      client.setTypeParser(PG_TYPE.int8, parseInt8)
      client.setTypeParser(PG_TYPE.int8Array, parseInt8Array)
      // A socket that dies while the client is checked out makes the client emit
      // 'error' as well as fail the running query; the pool only listens while the
      // client is idle, and an 'error' event nobody listens to crashes the process
      // (found by the reliability suite). The query's failure is what callers see.
      client.on('error', () => {})
    })
    pool.on('error', (error) => options.onIdleConnectionError?.(error))
  }

  batch(statements: readonly Statement[]): Promise<StatementResult[]> {
    return this.#withClient((client) => this.#pipeline(client, statements))
  }

  execute(statement: Statement): Promise<StatementResult> {
    return this.#withClient((client) => this.#execute(client, statement))
  }

  readonly sessionPerConnection = true

  readonly openSession = async (): Promise<Session> => {
    const client = await this.#connect()
    return {
      pipeline: (statements) => this.#pipeline(client, statements),
      execute: (statement) => this.#execute(client, statement),
      release: (broken) => client.release(broken),
    }
  }

  dispose(): Promise<void> {
    this.#ended ??= this.#pool.end()
    return this.#ended
  }

  #pipeline(client: PooledClient, statements: readonly Statement[]): Promise<StatementResult[]> {
    this.#options.onRoundTrip?.(statements)
    return runPipeline(client, statements)
  }

  async #execute(client: PooledClient, statement: Statement): Promise<StatementResult> {
    this.#options.onRoundTrip?.([statement])
    // Without parameters node-postgres uses the simple protocol, which takes several commands (migrations).
    const raw = await client.query(statement.sql, [...statement.parameters])
    const last = (Array.isArray(raw) ? raw.at(-1) : raw) as RawResult
    return statementResult(last.command, last.rows ?? [], last.rowCount)
  }

  async #withClient<T>(work: (client: PooledClient) => Promise<T>): Promise<T> {
    const client = await this.#connect()
    let broken = false
    try {
      return await work(client)
    } catch (error) {
      // A Postgres error leaves the connection usable; anything else (a lost socket) does not.
      broken = !isServerError(error)
      throw error
    } finally {
      client.release(broken)
    }
  }

  async #connect(): Promise<PooledClient> {
    try {
      return await this.#pool.connect()
    } catch (error) {
      throw new DatabaseUnreachableError(this.#options.address, error)
    }
  }
}
