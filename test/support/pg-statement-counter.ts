/**
 * Counts the statements Postgres is asked to run, at the wire: a TCP proxy in
 * front of the server that reads the frontend protocol on its way through
 * (Parse names a statement's SQL, each Bind runs one with its parameters, a
 * simple Query runs its text) and relays every byte unchanged. Put it under
 * the Neon stand-in (its upstream) and every process that connects through
 * the stand-in is counted in one place, whatever isolate it is.
 *
 * Plain connections only: a connection that negotiates TLS cannot be read,
 * and fails the count loudly rather than go uncounted.
 */
import type { AddressInfo } from 'node:net'
import { connect, createServer, type Socket } from 'node:net'

export interface ExecutedStatement {
  sql: string
  /** Text-format parameters (binary ones as `<binary>`, nulls as null). */
  params: Array<string | null>
  /** `Date.now()` when the proxy read it. */
  at: number
}

export interface StatementCounter {
  readonly port: number
  /** Every statement run since the start (or the last `clear()`), over every connection. */
  readonly executed: ExecutedStatement[]
  clear(): void
  /** Connections the proxy could not read (TLS, or a protocol it did not follow). */
  readonly unreadable: string[]
  close(): Promise<void>
}

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const CANCEL_REQUEST = 80877102

export async function startStatementCounter(target: { host: string; port: number }): Promise<StatementCounter> {
  const executed: ExecutedStatement[] = []
  const unreadable: string[] = []
  const open = new Set<Socket>()

  const server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true)
      open.add(socket)
      socket.on('close', () => open.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    const parser = frontendParser(
      (statement) => executed.push(statement),
      (reason) => unreadable.push(reason),
    )
    client.on('data', (chunk: Buffer) => {
      parser.feed(chunk)
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      parser.fromServer(chunk)
      client.write(chunk)
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    executed,
    unreadable,
    clear: () => {
      executed.length = 0
    },
    async close() {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Reads one connection's frontend messages, chunk by chunk. */
function frontendParser(onStatement: (statement: ExecutedStatement) => void, onUnreadable: (reason: string) => void) {
  let buffer: Buffer = Buffer.alloc(0)
  /** Before the startup message, messages have no type byte. */
  let startup = true
  let awaitingSslAnswer = false
  let dead = false
  const prepared = new Map<string, string>()

  const cstring = (data: Buffer, offset: number): [string, number] => {
    const end = data.indexOf(0, offset)
    return [data.toString('utf8', offset, end), end + 1]
  }

  const message = (type: string, body: Buffer) => {
    if (type === 'P') {
      const [name, next] = cstring(body, 0)
      const [sql] = cstring(body, next)
      prepared.set(name, sql)
    } else if (type === 'B') {
      const [, afterPortal] = cstring(body, 0)
      const [statement, afterStatement] = cstring(body, afterPortal)
      let offset = afterStatement
      const formatCount = body.readInt16BE(offset)
      offset += 2
      const formats: number[] = []
      for (let i = 0; i < formatCount; i++, offset += 2) formats.push(body.readInt16BE(offset))
      const paramCount = body.readInt16BE(offset)
      offset += 2
      const params: Array<string | null> = []
      for (let i = 0; i < paramCount; i++) {
        const length = body.readInt32BE(offset)
        offset += 4
        if (length < 0) {
          params.push(null)
          continue
        }
        const format = formatCount === 0 ? 0 : formatCount === 1 ? formats[0] : formats[i]
        params.push(format === 0 ? body.toString('utf8', offset, offset + length) : '<binary>')
        offset += length
      }
      onStatement({ sql: prepared.get(statement) ?? `<unknown statement ${statement}>`, params, at: Date.now() })
    } else if (type === 'Q') {
      onStatement({ sql: cstring(body, 0)[0], params: [], at: Date.now() })
    }
  }

  return {
    feed(chunk: Buffer) {
      if (dead) return
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      for (;;) {
        if (startup) {
          if (buffer.length < 8) return
          const length = buffer.readInt32BE(0)
          if (buffer.length < length) return
          const code = buffer.readInt32BE(4)
          buffer = buffer.subarray(length)
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            awaitingSslAnswer = true
          } else if (code === CANCEL_REQUEST) {
            dead = true
            return
          } else {
            startup = false
          }
          continue
        }
        if (buffer.length < 5) return
        const length = buffer.readInt32BE(1)
        if (buffer.length < 1 + length) return
        const type = String.fromCharCode(buffer[0] as number)
        const body = buffer.subarray(5, 1 + length)
        buffer = buffer.subarray(1 + length)
        try {
          message(type, body)
        } catch (error) {
          dead = true
          onUnreadable(`unreadable ${type} message: ${(error as Error).message}`)
          return
        }
      }
    },
    fromServer(chunk: Buffer) {
      if (!awaitingSslAnswer) return
      awaitingSslAnswer = false
      if (chunk[0] !== 'N'.charCodeAt(0)) {
        dead = true
        onUnreadable('the connection negotiated encryption: its statements cannot be counted')
      }
    },
  }
}
