/**
 * The `neon()` HTTP protocol in front of a real Postgres: `POST /sql` with a
 * `Neon-Connection-String` header and `{query, params}` (or `{queries}` for a
 * batch run as one transaction). Values come back as raw text, rows as arrays,
 * and Postgres errors as a 400 JSON body carrying their fields — as Neon does.
 *
 * A batch goes to Postgres pipelined (node-postgres' pipeline mode: BEGIN,
 * the statements and COMMIT written at once), so it costs one round trip to
 * Postgres as it costs Neon's endpoint, which sits beside the database: with a
 * delay in front of Postgres, a batch pays it once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import pg from 'pg'
import { PayloadTooLargeError, readBody, sendJson } from '../http-io.ts'
import { batchBegin, POSTGRES_ERROR_FIELDS, parseSqlRequest, RequestError, type SqlQuery } from './http-protocol.ts'
import { createPoolCache, type PoolCredentials } from './pool-cache.ts'
import { formatUpstream, isUpstream, type Upstream } from './upstream.ts'

export interface HttpEndpointOptions {
  upstream: Upstream
  maxBodyBytes: number
  /** Distinct user/password/database triples kept pooled at once; past it the least recently used is closed. */
  maxPools: number
}

export interface HttpEndpoint {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>
  close(): Promise<void>
}

/** Neon answers with the text form of every value; no parsing on this side. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value }

export function createHttpEndpoint(options: HttpEndpointOptions): HttpEndpoint {
  const pools = createPoolCache(options.maxPools, ({ user, password, database }) => {
    const pool = new pg.Pool({
      ...options.upstream,
      user,
      password,
      database,
      max: 10,
      idleTimeoutMillis: 10_000,
      pipeline: true,
    } as pg.PoolConfig)
    pool.on('error', () => {}) // an idle connection died; the pool replaces it
    return pool
  })

  function credentialsOf(connectionString: string): PoolCredentials {
    let url: URL
    try {
      url = new URL(connectionString)
    } catch {
      throw new RequestError(400, 'Neon-Connection-String is not a valid URL')
    }
    if (!isUpstream(options.upstream, url.hostname, url.port || 5432)) {
      throw new RequestError(403, `this endpoint only relays to ${formatUpstream(options.upstream)}`)
    }
    const user = decodeURIComponent(url.username)
    const database = decodeURIComponent(url.pathname.slice(1))
    if (!user || !database) throw new RequestError(400, 'Neon-Connection-String needs a user and a database')
    return { user, password: decodeURIComponent(url.password), database }
  }

  async function run(client: pg.PoolClient, query: SqlQuery, arrayMode: boolean) {
    const result = await client.query({
      text: query.query,
      values: query.params,
      // the extended protocol, as Neon uses: one statement per query, parameters bound
      queryMode: 'extended',
      types: RAW_TEXT,
      ...(arrayMode && { rowMode: 'array' as const }),
    } as pg.QueryConfig)
    return {
      command: result.command,
      rowCount: result.rowCount,
      rows: result.rows,
      fields: result.fields,
      rowAsArray: arrayMode,
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const body = await readBody(request, options.maxBodyBytes)
      const connectionString = header(request, 'neon-connection-string')
      if (!connectionString) throw new RequestError(400, 'missing Neon-Connection-String header')
      const parsed = parseSqlRequest(body)
      const arrayMode = header(request, 'neon-array-mode') === 'true'
      const begin =
        parsed.kind === 'batch'
          ? batchBegin({
              isolationLevel: header(request, 'neon-batch-isolation-level'),
              readOnly: header(request, 'neon-batch-read-only'),
              deferrable: header(request, 'neon-batch-deferrable'),
            })
          : undefined
      const lease = pools.lease(credentialsOf(connectionString))
      const client = await lease.pool.connect().catch((error: Error) => {
        lease.done()
        throw new RequestError(502, `cannot reach Postgres at ${formatUpstream(options.upstream)}: ${error.message}`)
      })
      let broken = false
      try {
        if (parsed.kind === 'single') {
          return sendJson(response, 200, await run(client, parsed.query, arrayMode))
        }
        // All written at once; a failure aborts the transaction, and COMMIT then rolls it back.
        const sent = [
          client.query(begin ?? 'begin'),
          ...parsed.queries.map((query) => run(client, query, arrayMode)),
          client.query('commit'),
        ]
        const settled = await Promise.allSettled(sent)
        const failure = settled.find((outcome) => outcome.status === 'rejected')
        if (failure) throw failure.reason
        const results = settled.slice(1, -1).map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value)
        return sendJson(response, 200, { results })
      } catch (error) {
        if (!isPostgresError(error)) broken = true
        throw error
      } finally {
        client.release(broken)
        lease.done()
      }
    } catch (error) {
      if (error instanceof RequestError) return sendJson(response, error.status, { message: error.message })
      if (error instanceof PayloadTooLargeError) return sendJson(response, 413, { message: error.message })
      if (isPostgresError(error)) return sendJson(response, 400, postgresErrorBody(error))
      return sendJson(response, 502, { message: `upstream failure: ${(error as Error).message}` })
    }
  }

  return { handle, close: pools.close }
}

function isPostgresError(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError
}

function postgresErrorBody(error: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message }
  for (const field of POSTGRES_ERROR_FIELDS) {
    const value = error[field]
    if (value !== undefined) body[field] = value
  }
  return body
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
