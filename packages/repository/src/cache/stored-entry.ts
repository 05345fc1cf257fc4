/**
 * One entry as the tiers hold it: the value stamped with the generations of
 * its tags when it was read, when it was stored and its TTL. Memory and Redis
 * hold the same text, so a Redis hit moves into memory without re-encoding.
 * An entry is current while every generation it was stamped with is still
 * its tag's: one write to any of its tags since makes it obsolete.
 */
import { decodeValue, encodeValue } from './codec.ts'
import type { ReadResult } from './port.ts'

/** What Redis holds for one entry. */
export interface StoredEntry {
  /** The value. */
  v: unknown
  /** Generations of the tags when the value was read. */
  g: string[]
  /** Stored at (ms since epoch). */
  t: number
  /** Its TTL in ms. */
  l: number
}

/**
 * The text of a value loaded now, stamped with the generations read before loading it. The
 * stamp comes first, in whole milliseconds, so the lookup's script reads it without the value
 * (`lease-lookup.ts`).
 */
export function encodeEntry(value: unknown, generations: string[], ttlMs: number): string {
  return encodeValue({ g: generations, t: Date.now(), l: Math.round(ttlMs), v: value } satisfies StoredEntry)
}

/** An entry written by another format or corrupted is simply a miss. */
export function decodeEntry(text: string): StoredEntry | undefined {
  try {
    const entry = decodeValue(text) as StoredEntry
    return Array.isArray(entry?.g) && typeof entry.t === 'number' && typeof entry.l === 'number' ? entry : undefined
  } catch {
    return undefined
  }
}

/** Whether the generations an entry was stamped with are the current ones (Redis's, or this isolate's). */
export const sameGenerations = <T>(a: readonly T[], b: readonly T[]) =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** An entry's value as an answer of `outcome`, with its age and what is left of its freshness. */
export function answerOf<T>(entry: StoredEntry, outcome: 'memory-hit' | 'redis-hit' | 'stale'): ReadResult<T> {
  const ageMs = Math.max(0, Date.now() - entry.t)
  return { value: entry.v as T, outcome, ageMs, ttlMs: entry.l - ageMs }
}
