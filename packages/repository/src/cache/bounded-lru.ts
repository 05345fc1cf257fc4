/**
 * A least-recently-used map bounded by entries and by a total size, each
 * entry with its own TTL. A Map keeps insertion order, so a read moves its
 * entry to the back (delete, then set) and eviction takes from the front.
 * Expiry is lazy: a read past an entry's TTL drops it and misses; an expired
 * entry not read again stays (counted in `size`) until it is evicted.
 */

interface Slot<V> {
  value: V
  size: number
  /** The clock's reading after which the entry no longer answers. */
  expiresAt: number
}

export interface BoundedLruOptions<K, V> {
  /** Entries held at most; a positive integer. */
  maxEntries: number
  /** Total of the entries' sizes held at most; a positive number. An entry larger than it is never stored. @default no bound */
  maxSize?: number
  /** An entry's size, counted against `maxSize` (a non-negative number). @default 0: bounded by count only */
  sizeOf?: (value: V, key: K) => number
  /** Milliseconds, monotonic if possible. @default performance.now (Date.now without it) */
  now?: () => number
}

const defaultNow: () => number =
  typeof performance === 'object' && typeof performance?.now === 'function' ? () => performance.now() : Date.now

const sizeless = () => 0

export class BoundedLru<K, V> {
  readonly #slots = new Map<K, Slot<V>>()
  readonly #maxEntries: number
  readonly #maxSize: number
  readonly #sizeOf: (value: V, key: K) => number
  readonly #now: () => number
  #calculatedSize = 0
  #evictions = 0

  constructor(options: BoundedLruOptions<K, V>) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, not ${options.maxEntries}`)
    }
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY
    if (!(maxSize > 0)) throw new RangeError(`maxSize must be positive, not ${maxSize}`)
    this.#maxEntries = options.maxEntries
    this.#maxSize = maxSize
    this.#sizeOf = options.sizeOf ?? sizeless
    this.#now = options.now ?? defaultNow
  }

  /** The entry's value if present and within its TTL (making it the most recent); undefined otherwise. */
  get(key: K): V | undefined {
    const slot = this.#slots.get(key)
    if (slot === undefined) return undefined
    this.#slots.delete(key)
    if (this.#now() > slot.expiresAt) {
      this.#calculatedSize -= slot.size
      return undefined
    }
    this.#slots.set(key, slot)
    return slot.value
  }

  /**
   * Stores an entry for `ttlMs` as the most recent, evicting the least recent
   * to keep within both bounds. An entry larger than `maxSize`, or with no
   * time to live (`ttlMs` not above 0), is not stored, and the key's previous
   * entry is dropped: a stale value must not outlive its replacement.
   * Returns whether the entry was stored.
   */
  set(key: K, value: V, ttlMs: number): boolean {
    const size = this.#sizeOf(value, key)
    const previous = this.#slots.get(key)
    if (previous !== undefined) {
      this.#slots.delete(key)
      this.#calculatedSize -= previous.size
    }
    if (!(size <= this.#maxSize && ttlMs > 0)) return false
    if (previous === undefined && this.#slots.size >= this.#maxEntries) this.#evictOldest()
    while (this.#calculatedSize + size > this.#maxSize) {
      if (!this.#evictOldest()) break
    }
    const expiresAt = this.#now() + ttlMs
    if (previous === undefined) {
      this.#slots.set(key, { value, size, expiresAt })
    } else {
      previous.value = value
      previous.size = size
      previous.expiresAt = expiresAt
      this.#slots.set(key, previous)
    }
    this.#calculatedSize += size
    return true
  }

  /** Drops the key's entry; whether there was one (expired or not). */
  delete(key: K): boolean {
    const slot = this.#slots.get(key)
    if (slot === undefined) return false
    this.#slots.delete(key)
    this.#calculatedSize -= slot.size
    return true
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#slots.size
  }

  /** The total of the held entries' sizes. */
  get calculatedSize(): number {
    return this.#calculatedSize
  }

  /** Entries dropped to keep within the bounds (not expiries, replacements or deletions). */
  get evictions(): number {
    return this.#evictions
  }

  /** Drops the least recent entry; false when there is none. */
  #evictOldest(): boolean {
    const oldest = this.#slots.entries().next()
    if (oldest.done) return false
    const [key, slot] = oldest.value
    this.#slots.delete(key)
    this.#calculatedSize -= slot.size
    this.#evictions += 1
    return true
  }
}
