import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors.ts'
import { CursorCodec } from './cursor.ts'

const codec = new CursorCodec('a-test-secret-of-enough-length')
const query = { orgId: 'acme', repository: 'documents', sort: 'newest', filter: { status: 'draft' } }

describe('CursorCodec', () => {
  it('round-trips a position with a date, a string or a number', async () => {
    for (const value of [new Date('2026-11-26T10:00:00.123Z'), 'Ünïcode title', 42]) {
      const cursor = await codec.encode(query, { value, id: 7 })
      expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/)
      expect(await codec.decode(query, cursor)).toEqual({ value, id: 7 })
    }
  })

  it('binds a cursor to its query: filters in any key order match, others do not', async () => {
    const cursor = await codec.encode(
      { ...query, filter: { status: 'draft', title: { contains: 'x' } } },
      { value: 1, id: 1 },
    )
    await expect(
      codec.decode({ ...query, filter: { title: { contains: 'x' }, status: 'draft' } }, cursor),
    ).resolves.toEqual({ value: 1, id: 1 })
    for (const other of [
      { ...query, orgId: 'globex' },
      { ...query, sort: 'oldest' },
      { ...query, repository: 'topics' },
      { ...query, filter: { status: 'published' } },
    ]) {
      await expect(codec.decode(other, cursor)).rejects.toBeInstanceOf(ValidationError)
    }
  })

  it('rejects any edit of the cursor as a ValidationError', async () => {
    const cursor = await codec.encode(query, { value: 5, id: 9 })
    const [payload, signature] = cursor.split('.') as [string, string]
    const forged = Buffer.from(JSON.stringify({ v: 5, i: 1 })).toString('base64url')
    const flip = (text: string) => `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`
    for (const bad of [
      `${forged}.${signature}`,
      `${payload}.${flip(signature)}`,
      `${flip(payload)}.${signature}`,
      payload,
      `${cursor}.x`,
      'not a cursor at all!',
      '',
    ]) {
      await expect(codec.decode(query, bad)).rejects.toBeInstanceOf(ValidationError)
    }
    await expect(new CursorCodec('another-secret-entirely').decode(query, cursor)).rejects.toBeInstanceOf(
      ValidationError,
    )
  })
})

describe('signers', () => {
  it('verifies with any signer computing the same HMAC-SHA-256', async () => {
    const { nodeHmacSigner } = await import('../../node/index.ts')
    const web = new CursorCodec('a-test-secret-of-enough-length')
    const node = new CursorCodec(nodeHmacSigner('a-test-secret-of-enough-length'))
    const cursor = await web.encode(query, { value: 'x', id: 3 })
    expect(await node.encode(query, { value: 'x', id: 3 })).toBe(cursor)
    expect(await node.decode(query, cursor)).toEqual({ value: 'x', id: 3 })
  })

  it('refuses a short secret', () => {
    expect(() => new CursorCodec('short')).toThrow(/at least 16 characters/)
  })
})
