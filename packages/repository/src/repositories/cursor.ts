/**
 * Opaque, tamper-evident keyset cursors.
 *
 * A cursor carries the last row's sort value and id, signed with HMAC-SHA-256
 * over the query it belongs to (organization, repository, sort and filter).
 * An edited cursor, or one replayed against another query or organization,
 * fails verification and is a ValidationError. The signer is a port
 * (`cursor-signer.ts`): Web Crypto by default, on every runtime.
 */

import { canonicalJson } from '../canonical-json.ts'
import { ValidationError } from '../errors.ts'
import { type CursorSigner, equalBytes, webCryptoSigner } from './cursor-signer.ts'

export interface CursorPosition {
  /** The sort column's value in the last row of the page. */
  value: string | number | Date
  id: number
}

/** What a cursor is bound to. */
export interface CursorQuery {
  orgId: string
  repository: string
  sort: string
  filter: unknown
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class CursorCodec {
  readonly #signer: CursorSigner

  /** A secret (signed with Web Crypto) or a signer of your own, such as `nodeHmacSigner`. */
  constructor(secretOrSigner: string | CursorSigner) {
    this.#signer = typeof secretOrSigner === 'string' ? webCryptoSigner(secretOrSigner) : secretOrSigner
  }

  async encode(query: CursorQuery, position: CursorPosition): Promise<string> {
    const value = position.value instanceof Date ? { d: position.value.toISOString() } : position.value
    const payload = toBase64Url(encoder.encode(JSON.stringify({ v: value, i: position.id })))
    const signature = await this.#signer.sign(signed(query, payload))
    return `${payload}.${toBase64Url(signature)}`
  }

  async decode(query: CursorQuery, cursor: string): Promise<CursorPosition> {
    const [payload, signature, extra] = typeof cursor === 'string' ? cursor.split('.') : []
    const invalid = () => new ValidationError('the cursor is invalid, tampered with, or from another query')
    if (!payload || !signature || extra !== undefined || cursor.length > 1024) throw invalid()
    const signatureBytes = fromBase64Url(signature)
    if (!signatureBytes) throw invalid()
    if (!equalBytes(await this.#signer.sign(signed(query, payload)), signatureBytes)) throw invalid()
    const bytes = fromBase64Url(payload)
    const parsed = bytes && (JSON.parse(decoder.decode(bytes)) as { v?: unknown; i?: unknown })
    if (!parsed || !Number.isSafeInteger(parsed.i)) throw invalid()
    const raw = parsed.v
    const value =
      typeof raw === 'object' && raw !== null && typeof (raw as { d?: unknown }).d === 'string'
        ? new Date((raw as { d: string }).d)
        : raw
    if (!(typeof value === 'string' || typeof value === 'number' || value instanceof Date)) throw invalid()
    return { value, id: parsed.i as number }
  }
}

function signed(query: CursorQuery, payload: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${canonicalJson(query)}\n${payload}`)
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}
