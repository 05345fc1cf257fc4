/**
 * A connection that could not be opened, said so an operator can act on it:
 * which server (host and port, never the password) and what went wrong. The
 * repositories turn it into a `TransientError` for their callers.
 */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError'
  constructor(
    /** `host:port` of the server that did not answer. */
    readonly address: string,
    cause: unknown,
  ) {
    super(`cannot connect to Postgres at ${address}: ${describeCause(cause)}`, { cause })
  }
}

/** `host:port` of a Postgres URL (5432 when it names none). */
export function addressOf(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    return `${url.hostname}:${url.port || 5432}`
  } catch {
    return 'an unparseable DATABASE_URL'
  }
}

/** A cause in words, also for the WebSocket error events the Neon driver rejects with (no message of their own). */
function describeCause(cause: unknown): string {
  const error = cause as { message?: unknown; code?: unknown; type?: unknown } | undefined
  const message = typeof error?.message === 'string' && error.message ? error.message : undefined
  const code = typeof error?.code === 'string' ? error.code : undefined
  if (message) return code && !message.includes(code) ? `${message} (${code})` : message
  if (code) return code
  if (error?.type === 'error' || error?.type === 'close') return 'the WebSocket connection failed'
  return String(cause)
}

/**
 * The SQLSTATE of an error the server sent, if it is one. Node's system error
 * codes (EPIPE, EPERM, …) are five capitals too; no SQLSTATE class starts
 * with E, so those are told apart.
 */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code) ? code : undefined
}

/** An error the server sent (it carries a SQLSTATE), as opposed to a failure to reach it. */
export function isServerError(error: unknown): boolean {
  return sqlState(error) !== undefined
}
