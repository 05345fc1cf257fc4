/**
 * The in-isolate tier: an LRU bounded by entries and by bytes, holding
 * encoded values (so callers cannot mutate what is cached, and sizes are
 * exact). Each entry remembers the local generations of its tags; a write in
 * this isolate bumps them, which makes its entries misses at once.
 */
import { BoundedLru } from './bounded-lru.ts'
import type { MemoryTierOptions } from './config.ts'

export interface MemoryEntry {
  text: string
  /** Local generations of the entry's tags when it was stored. */
  generations: number[]
  /** The organization's write mark when Redis vouched for the entry; none when it did not. */
  mark?: number
}

export class MemoryTier {
  readonly #lru: BoundedLru<string, MemoryEntry>
  readonly #options: MemoryTierOptions

  /** `now` is the clock TTLs are measured on (tests pass a fake one). */
  constructor(options: MemoryTierOptions, now?: () => number) {
    this.#options = options
    this.#lru = new BoundedLru<string, MemoryEntry>({
      maxEntries: options.maxEntries,
      maxSize: options.maxBytes,
      sizeOf: sizeOfEntry,
      now,
    })
  }

  /** Entries dropped to keep within the bounds (not expiries, replacements or invalidations). */
  get evictions(): number {
    return this.#lru.evictions
  }

  get(key: string): MemoryEntry | undefined {
    return this.#lru.get(key)
  }

  /**
   * Remembers an entry for its TTL, at most the staleness bound of its query
   * type. One larger than `maxBytes`, or with no time left, is not kept, and
   * drops what the key held.
   */
  set(key: string, entry: MemoryEntry, ttlMs: number, queryType: string): void {
    this.#lru.set(key, entry, Math.min(ttlMs, this.boundOf(queryType)))
  }

  /** How long an entry of this query type may answer from memory. */
  boundOf(queryType: string): number {
    return this.#options.maxStalenessMsByQueryType?.[queryType] ?? this.#options.maxStalenessMs
  }

  delete(key: string): void {
    this.#lru.delete(key)
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.#lru.size, bytes: this.#lru.calculatedSize }
  }
}

/** An entry's bytes: UTF-16 code units are two bytes each; the key counts too. */
function sizeOfEntry(entry: MemoryEntry, key: string): number {
  return 2 * (entry.text.length + key.length) + 8 * entry.generations.length + 64
}

/** A memory entry: its text, this isolate's generations, and the write mark Redis vouched for it at. */
export function stamped(text: string, generations: number[], mark: number | undefined): MemoryEntry {
  return mark === undefined ? { text, generations } : { text, generations, mark }
}
