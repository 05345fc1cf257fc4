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
}

export class MemoryTier {
  readonly #lru: LRUCache<string, MemoryEntry>
  evictions = 0

  constructor(options: MemoryTierOptions) {
    this.#lru = new LRUCache<string, MemoryEntry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // UTF-16 code units are two bytes each; the key counts too.
      sizeCalculation: (entry, key) => 2 * (entry.text.length + key.length) + 8 * entry.generations.length + 64,
      ttl: options.maxStalenessMs,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evictions += 1
      },
    })
  }

  get(key: string): MemoryEntry | undefined {
    return this.#lru.get(key)
  }

  set(key: string, entry: MemoryEntry, ttlMs: number): void {
    this.#lru.set(key, entry, { ttl: Math.min(ttlMs, this.#lru.ttl) })
  }

  delete(key: string): void {
    this.#lru.delete(key)
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.#lru.size, bytes: this.#lru.calculatedSize }
  }
}
