/** Pieces of JSON text for the EMF lines `emf-sink.ts` builds as strings. */

/**
 * A name, unit or dimension value as a JSON string. They are few and the same on every request (a
 * dimension is never a tenant, `sink.ts`), so each is quoted once; metadata, which varies, is not cached.
 */
const quoted = new Map<string, string>()
const MAX_QUOTED = 1024
export function quote(text: string): string {
  let json = quoted.get(text)
  if (json === undefined) {
    json = JSON.stringify(text)
    if (quoted.size < MAX_QUOTED) quoted.set(text, json)
  }
  return json
}

/** A number as JSON writes it: not finite, null. */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null'
}
