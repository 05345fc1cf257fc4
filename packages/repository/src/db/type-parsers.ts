/**
 * One reading of Postgres values on every driver.
 *
 * Ids are `bigint` in the schema so they never run out, and `number` in
 * TypeScript so that `findById(123)` reads naturally. node-postgres (and so the
 * Neon driver) returns int8 as a string and PGlite as a number or bigint; these
 * parsers make all three agree, and refuse — loudly — a value a JS number
 * cannot hold exactly instead of rounding it.
 */

/** Postgres type oids this package parses itself. */
export const PG_TYPE = { int8: 20, int8Array: 1016 } as const

export function parseInt8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} is outside the range a JavaScript number holds exactly`)
  }
  return value
}

/** Parses a one-dimensional int8 array literal such as `{1,2,NULL}`. */
export function parseInt8Array(text: string): Array<number | null> {
  if (!text.startsWith('{') || !text.endsWith('}')) {
    throw new TypeError(`not a Postgres array literal: ${text.slice(0, 40)}`)
  }
  const inner = text.slice(1, -1)
  if (inner === '') return []
  return inner.split(',').map((item) => (item === 'NULL' ? null : parseInt8(item)))
}

/** Parsers keyed by type oid, in the shape PGlite and the Neon HTTP path take. */
export const int8Parsers: Record<number, (text: string) => unknown> = {
  [PG_TYPE.int8]: parseInt8,
  [PG_TYPE.int8Array]: parseInt8Array,
}
