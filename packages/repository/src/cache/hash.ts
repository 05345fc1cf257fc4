/**
 * A fast 128-bit non-cryptographic hash for long cache-key parts: four
 * FNV-1a lanes with different offsets over the UTF-16 code units, each
 * finished with an avalanche mix. Synchronous and runtime-free; collisions
 * at 128 bits are not a practical concern for cache keys scoped by tenant.
 */
const OFFSETS = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]

export function hash128(text: string): string {
  return OFFSETS.map((offset, lane) => {
    let h = (offset ^ lane) >>> 0
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i) + lane
      h = Math.imul(h, 0x01000193)
    }
    h ^= h >>> 16
    h = Math.imul(h, 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
    return (h >>> 0).toString(16).padStart(8, '0')
  }).join('')
}
