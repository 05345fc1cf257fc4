/**
 * RESP2, the Redis wire protocol: encoding commands and parsing replies.
 *
 * Written here rather than taken from a Redis client because the bridge must
 * keep what clients usually hide: a status reply (`+OK`) apart from a bulk
 * string, error text exactly as Redis wrote it, nil apart from an empty value,
 * and every byte of a value as sent.
 */

/** A status reply such as `+OK` or `+PONG`. */
export class SimpleString {
  constructor(readonly value: string) {}
}

/** An error reply, with Redis's own text (`ERR unknown command …`). */
export class RedisError {
  constructor(readonly message: string) {}
}

export type RespValue = Buffer | SimpleString | RedisError | number | null | RespValue[]

const CRLF = Buffer.from('\r\n')

export function encodeCommand(args: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const arg of args) parts.push(Buffer.from(`$${arg.length}\r\n`), arg, CRLF)
  return Buffer.concat(parts)
}

type Parsed = { value: RespValue; end: number } | { need: number }

/**
 * Parses replies as bytes arrive. Chunks are only joined once enough bytes are
 * there for the next reply, so a 10 MB value arriving in many chunks is copied
 * once, not once per chunk.
 */
export class RespParser {
  #chunks: Buffer[] = []
  #length = 0
  #need = 1

  constructor(private readonly onReply: (value: RespValue) => void) {}

  feed(chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#length += chunk.length
    if (this.#length < this.#need) return
    let buffer = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#length)
    let offset = 0
    for (;;) {
      const parsed = parseValue(buffer, offset)
      if ('need' in parsed) {
        this.#need = parsed.need - offset
        break
      }
      offset = parsed.end
      this.onReply(parsed.value)
      if (offset === buffer.length) {
        this.#need = 1
        break
      }
    }
    buffer = buffer.subarray(offset)
    this.#chunks = buffer.length ? [buffer] : []
    this.#length = buffer.length
  }
}

function parseValue(buffer: Buffer, start: number): Parsed {
  const lineEnd = buffer.indexOf(CRLF, start)
  if (lineEnd === -1) return { need: buffer.length + 1 }
  const type = buffer[start]
  const line = buffer.toString('utf8', start + 1, lineEnd)
  const next = lineEnd + 2
  switch (type) {
    case 0x2b: // +
      return { value: new SimpleString(line), end: next }
    case 0x2d: // -
      return { value: new RedisError(line), end: next }
    case 0x3a: // :
      return { value: Number(line), end: next }
    case 0x24: {
      // $
      const size = Number(line)
      if (size < 0) return { value: null, end: next }
      const end = next + size + 2
      if (buffer.length < end) return { need: end }
      return { value: Buffer.from(buffer.subarray(next, next + size)), end }
    }
    case 0x2a: {
      // *
      const count = Number(line)
      if (count < 0) return { value: null, end: next }
      const items: RespValue[] = []
      let offset = next
      for (let i = 0; i < count; i++) {
        const item = parseValue(buffer, offset)
        if ('need' in item) return item
        items.push(item.value)
        offset = item.end
      }
      return { value: items, end: offset }
    }
    default:
      throw new Error(`unexpected RESP type byte 0x${(type ?? 0).toString(16)}`)
  }
}
