/**
 * Parsing and validation of `neon()` HTTP requests, kept apart from I/O so the
 * shapes the stand-in accepts are in one place.
 */

export interface SqlQuery {
  query: string
  params: Array<string | number | boolean | null>
}

export type SqlRequest = { kind: 'single'; query: SqlQuery } | { kind: 'batch'; queries: SqlQuery[] }

/** A client mistake, answered with this status and `{ message }`. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export function parseSqlRequest(body: string): SqlRequest {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new RequestError(400, 'request body is not valid JSON')
  }
  if (!isRecord(parsed)) throw new RequestError(400, 'request body must be a JSON object')
  if ('queries' in parsed) {
    if (!Array.isArray(parsed.queries) || parsed.queries.length === 0) {
      throw new RequestError(400, '"queries" must be a non-empty array')
    }
    return { kind: 'batch', queries: parsed.queries.map((item, index) => parseQuery(item, `queries[${index}]`)) }
  }
  return { kind: 'single', query: parseQuery(parsed, 'body') }
}

function parseQuery(value: unknown, where: string): SqlQuery {
  if (!isRecord(value) || typeof value.query !== 'string' || value.query.trim() === '') {
    throw new RequestError(400, `${where} must have a non-empty string "query"`)
  }
  const params = value.params ?? []
  if (!Array.isArray(params)) throw new RequestError(400, `${where}.params must be an array`)
  params.forEach((param, index) => {
    const ok = param === null || ['string', 'number', 'boolean'].includes(typeof param)
    if (!ok) throw new RequestError(400, `${where}.params[${index}] must be a string, number, boolean or null`)
  })
  return { query: value.query, params }
}

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: 'read uncommitted',
  ReadCommitted: 'read committed',
  RepeatableRead: 'repeatable read',
  Serializable: 'serializable',
}

/** The BEGIN statement for a batch, from the `Neon-Batch-*` headers. */
export function batchBegin(headers: {
  isolationLevel?: string | undefined
  readOnly?: string | undefined
  deferrable?: string | undefined
}): string {
  const modes: string[] = []
  if (headers.isolationLevel !== undefined) {
    const level = ISOLATION_LEVELS[headers.isolationLevel]
    if (!level) throw new RequestError(400, `unknown Neon-Batch-Isolation-Level ${headers.isolationLevel}`)
    modes.push(`isolation level ${level}`)
  }
  if (headers.readOnly !== undefined)
    modes.push(booleanHeader('Neon-Batch-Read-Only', headers.readOnly) ? 'read only' : 'read write')
  if (headers.deferrable !== undefined) {
    modes.push(booleanHeader('Neon-Batch-Deferrable', headers.deferrable) ? 'deferrable' : 'not deferrable')
  }
  return modes.length ? `begin ${modes.join(', ')}` : 'begin'
}

function booleanHeader(name: string, value: string): boolean {
  if (value === 'true') return true
  if (value === 'false') return false
  throw new RequestError(400, `${name} must be true or false`)
}

/** The fields of a Postgres error that Neon copies into its 400 answer. */
export const POSTGRES_ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
