import { describe, expect, it } from 'vitest'
import { encodeCommand, RedisError, RespParser, type RespValue, SimpleString } from './resp.ts'

function parseAll(...chunks: Buffer[]): RespValue[] {
  const replies: RespValue[] = []
  const parser = new RespParser((reply) => replies.push(reply))
  for (const chunk of chunks) parser.feed(chunk)
  return replies
}

describe('encodeCommand', () => {
  it('writes a RESP array of bulk strings, byte-exact', () => {
    const binary = Buffer.from([0, 0xff, 0x0d, 0x0a])
    expect(encodeCommand([Buffer.from('SET'), Buffer.from('k€'), binary])).toEqual(
      Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\nk€\r\n$4\r\n'), binary, Buffer.from('\r\n')]),
    )
  })
})

describe('RespParser', () => {
  it('keeps status, error, integer, nil, bulk and nested array replies apart', () => {
    const wire = '+OK\r\n-ERR wrong\r\n:42\r\n$-1\r\n*-1\r\n$0\r\n\r\n*2\r\n$1\r\na\r\n*1\r\n:-7\r\n'
    expect(parseAll(Buffer.from(wire))).toEqual([
      new SimpleString('OK'),
      new RedisError('ERR wrong'),
      42,
      null,
      null,
      Buffer.alloc(0),
      [Buffer.from('a'), [-7]],
    ])
  })

  it('waits for replies split at any byte, including inside CRLF and binary values', () => {
    const value = Buffer.from([0x0d, 0x0a, 0x24, 0x31, 0x0d, 0x0a])
    const wire = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n:1\r\n')])
    for (let cut = 1; cut < wire.length; cut++) {
      expect(parseAll(wire.subarray(0, cut), wire.subarray(cut))).toEqual([value, 1])
    }
  })

  it('reads a large value delivered in many chunks', () => {
    const value = Buffer.alloc(1024 * 1024, 7)
    const wire = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')])
    const chunks: Buffer[] = []
    for (let i = 0; i < wire.length; i += 65536) chunks.push(wire.subarray(i, i + 65536))
    expect(parseAll(...chunks)).toEqual([value])
  })
})
