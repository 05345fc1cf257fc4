/**
 * Redis Cluster's key → slot function: CRC16 (XMODEM) of the key's hash tag —
 * the text between its first `{` and the next `}`, when not empty — or of the
 * whole key, modulo 16384. Sharded Upstash uses the same.
 */
export function hashSlot(key: string): number {
  const open = key.indexOf('{')
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key
  return crc16(new TextEncoder().encode(hashed)) % 16384
}

function crc16(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}
