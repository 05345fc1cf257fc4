/**
 * Cached values as text, surviving the round trip exactly: dates stay dates,
 * bigints stay bigints, null stays null and an absent property stays absent.
 *
 * A date or bigint becomes a one-key object whose key starts with NUL, which
 * no value read from Postgres can contain (text columns refuse NUL), so the
 * tags never collide with data. The text starts with a marker that is not
 * JSON, so a Redis client that parses JSON answers hands it back untouched.
 */
const MARKER = 'c1|'
const DATE = '\u0000d'
const BIGINT = '\u0000n'

export function encodeValue(value: unknown): string {
  return MARKER + JSON.stringify(tag(value))
}

export function decodeValue(text: string): unknown {
  if (!text.startsWith(MARKER)) throw new Error('not a cached value')
  return JSON.parse(text.slice(MARKER.length), (_key, value) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (DATE in value) return new Date(value[DATE])
      if (BIGINT in value) return BigInt(value[BIGINT])
    }
    return value
  })
}

function tag(value: unknown): unknown {
  if (value instanceof Date) return { [DATE]: value.toISOString() }
  if (typeof value === 'bigint') return { [BIGINT]: value.toString() }
  if (Array.isArray(value)) return value.map(tag)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = tag(item)
    return out
  }
  return value
}
