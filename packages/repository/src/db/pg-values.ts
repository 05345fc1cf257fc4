/**
 * Parameters in Postgres' text format, for statements this package writes to
 * the wire itself (`pg-pipeline.ts`). The conversions node-postgres applies:
 * dates as ISO timestamps, arrays as array literals, objects as JSON, bytes as
 * `\x` hex (bytea's text form).
 */

export function toWireValue(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Uint8Array) return `\\x${hex(value)}`
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return arrayLiteral(value)
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** `{1,2,NULL}`, `{"a b","c\"d"}`, nested arrays as nested braces. */
function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((value) => {
    if (value === null || value === undefined) return 'NULL'
    if (Array.isArray(value)) return arrayLiteral(value)
    const text = toWireValue(value) as string
    return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
  })
  return `{${items.join(',')}}`
}

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}
