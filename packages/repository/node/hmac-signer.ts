/**
 * Node-only helpers of the package (never loaded by Workers bundles).
 * `nodeHmacSigner` signs cursors with `node:crypto`'s synchronous HMAC.
 */
import { createHmac } from 'node:crypto'
import { assertCursorSecret, type CursorSigner } from '../src/repositories/cursor-signer.ts'

export function nodeHmacSigner(secret: string): CursorSigner {
  assertCursorSecret(secret)
  return { sign: (data) => createHmac('sha256', secret).update(data).digest() }
}
