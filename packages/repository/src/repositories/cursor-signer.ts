/**
 * The keyed hash that makes cursors tamper-evident, as a port: Web Crypto
 * (HMAC-SHA-256) everywhere by default; Node and Lambda can plug in
 * `node:crypto`'s synchronous HMAC (`@serverless-dal/repository/node`), which
 * costs a fraction of Web Crypto's thread-pool round trip there.
 */
export interface CursorSigner {
  /** HMAC-SHA-256 (or as strong) of `data` under the signer's secret. */
  sign(data: Uint8Array<ArrayBuffer>): Uint8Array | Promise<Uint8Array>
}

const MIN_SECRET_LENGTH = 16

export function assertCursorSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`the cursor secret must be at least ${MIN_SECRET_LENGTH} characters`)
  }
}

export function webCryptoSigner(secret: string): CursorSigner {
  assertCursorSecret(secret)
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return { sign: async (data) => new Uint8Array(await crypto.subtle.sign('HMAC', await key, data)) }
}

/** Compares in time that depends only on the length, not on where the bytes differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number)
  return difference === 0
}
