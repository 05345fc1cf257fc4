/**
 * The in-isolate tier: an LRU bounded by entries and by bytes, holding
 * encoded values (so callers cannot mutate what is cached, and sizes are
 * exact). Each entry remembers the local generations of its tags; a write in
 * this isolate bumps them, which makes its entries misses at once.
 */
import { LRUCache } from 'lru-cache'
import type { MemoryTierOptions } from './config.ts'

export interface MemoryEntry {
  text: string
  /** Local generations of the entry's tags when it was stored. */
  generations: number[]
  /** The organization's write mark when Redis vouched for the entry; none when it did not. */
  mark?: number
}

export class MemoryTier {
  readonly #lru: LRUCache<string, MemoryEntry>
  readonly #options: MemoryTierOptions
  evictions = 0

  constructor(options: MemoryTierOptions) {
    this.#options = options
    const bounds = Object.values(options.maxStalenessMsByQueryType ?? {})
    this.#lru = new LRUCache<string, MemoryEntry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // UTF-16 code units are two bytes each; the key counts too.
      sizeCalculation: (entry, key) => 2 * (entry.text.length + key.length) + 8 * entry.generations.length + 64,
      ttl: Math.max(options.maxStalenessMs, ...bounds),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evictions += 1
      },
    })
  }

  get(key: string): MemoryEntry | undefined {
    return this.#lru.get(key)
  }

  /** Remembers an entry for its TTL, at most the staleness bound of its query type. */
  set(key: string, entry: MemoryEntry, ttlMs: number, queryType: string): void {
    this.#lru.set(key, entry, { ttl: Math.min(ttlMs, this.boundOf(queryType)) })
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

/** A memory entry: its text, this isolate's generations, and the write mark Redis vouched for it at. */
export function stamped(text: string, generations: number[], mark: number | undefined): MemoryEntry {
  return mark === undefined ? { text, generations } : { text, generations, mark }
}
