import { describe, expect, it } from 'vitest'
import { BoundedLru } from './bounded-lru.ts'

/** Values are their own sizes; the clock is `clock.now`, moved by hand. */
function lru(maxEntries: number, maxSize: number) {
  const clock = { now: 1_000 }
  const cache = new BoundedLru<string, number>({ maxEntries, maxSize, sizeOf: (value) => value, now: () => clock.now })
  return { cache, clock }
}

const keys = (cache: BoundedLru<string, number>, ...candidates: string[]) =>
  candidates.filter((key) => cache.get(key) !== undefined)

describe('BoundedLru', () => {
  it('evicts the least recently used first, a read counting as a use', () => {
    const { cache } = lru(3, 1_000)
    cache.set('a', 1, 100)
    cache.set('b', 1, 100)
    cache.set('c', 1, 100)
    expect(cache.get('a')).toBe(1) // now b is the least recent
    cache.set('d', 1, 100)
    expect(cache.get('b')).toBeUndefined()
    expect(keys(cache, 'a', 'c', 'd')).toEqual(['a', 'c', 'd'])
    expect(cache.evictions).toBe(1)
  })

  it('holds at most maxEntries', () => {
    const { cache } = lru(2, 1_000)
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, 1, 100)
    expect(cache.size).toBe(2)
    expect(cache.calculatedSize).toBe(2)
    expect(keys(cache, 'a', 'b', 'c', 'd')).toEqual(['c', 'd'])
    expect(cache.evictions).toBe(2)
  })

  it('keeps the total size within maxSize, evicting as many of the least recent as it takes', () => {
    const { cache } = lru(100, 10)
    cache.set('a', 3, 100)
    cache.set('b', 3, 100)
    cache.set('c', 3, 100)
    expect(cache.calculatedSize).toBe(9)
    cache.set('d', 7, 100) // a and b must go for 7 to fit beside c
    expect(cache.calculatedSize).toBe(10)
    expect(cache.size).toBe(2)
    expect(cache.evictions).toBe(2)
    expect(keys(cache, 'a', 'b', 'c', 'd')).toEqual(['c', 'd'])
  })

  it('an entry exactly maxSize fits, alone', () => {
    const { cache } = lru(100, 10)
    cache.set('a', 4, 100)
    expect(cache.set('b', 10, 100)).toBe(true)
    expect(keys(cache, 'a', 'b')).toEqual(['b'])
    expect(cache.calculatedSize).toBe(10)
  })

  it('never stores an entry larger than maxSize, evicts nothing for it, and drops what its key held', () => {
    const { cache } = lru(100, 10)
    cache.set('a', 4, 100)
    cache.set('b', 4, 100)
    expect(cache.set('c', 11, 100)).toBe(false)
    expect(cache.size).toBe(2)
    expect(cache.evictions).toBe(0)
    expect(cache.set('a', 11, 100)).toBe(false)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.calculatedSize).toBe(4)
    expect(cache.evictions).toBe(0) // a was replaced, not evicted
    expect(cache.get('b')).toBe(4)
  })

  it('updating a key replaces its size in the total, makes it the most recent, and evicts nothing by count', () => {
    const { cache } = lru(2, 10)
    cache.set('a', 2, 100)
    cache.set('b', 2, 100)
    cache.set('a', 5, 100) // a: 2 → 5; at maxEntries but an update adds no entry
    expect(cache.calculatedSize).toBe(7)
    expect(cache.size).toBe(2)
    expect(cache.evictions).toBe(0)
    cache.set('a', 1, 100)
    expect(cache.calculatedSize).toBe(3)
    cache.set('a', 8, 100) // 8 + b's 2 fits exactly
    expect(cache.calculatedSize).toBe(10)
    cache.set('a', 9, 100) // no longer: b, the least recent, goes
    expect(cache.calculatedSize).toBe(9)
    expect(keys(cache, 'a', 'b')).toEqual(['a'])
    expect(cache.evictions).toBe(1)
  })

  it('answers until its TTL has passed, then misses and drops the entry (not an eviction)', () => {
    const { cache, clock } = lru(10, 100)
    cache.set('a', 5, 100)
    cache.set('b', 6, 300)
    clock.now += 100
    expect(cache.get('a')).toBe(5) // at exactly its TTL it still answers
    clock.now += 1
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(1)
    expect(cache.calculatedSize).toBe(6)
    expect(cache.evictions).toBe(0)
    expect(cache.get('b')).toBe(6)
  })

  it('does not extend a TTL on read; setting again starts a new one', () => {
    const { cache, clock } = lru(10, 100)
    cache.set('a', 1, 100)
    clock.now += 90
    expect(cache.get('a')).toBe(1)
    clock.now += 20
    expect(cache.get('a')).toBeUndefined()
    cache.set('a', 2, 100)
    clock.now += 90
    cache.set('a', 3, 100)
    clock.now += 90
    expect(cache.get('a')).toBe(3)
  })

  it('an expired entry not read again still counts until it is evicted', () => {
    const { cache, clock } = lru(2, 100)
    cache.set('a', 1, 10)
    cache.set('b', 1, 1_000)
    clock.now += 50
    expect(cache.size).toBe(2)
    cache.set('c', 1, 1_000)
    expect(keys(cache, 'a', 'b', 'c')).toEqual(['b', 'c'])
  })

  it('does not store an entry with no time to live, and drops what its key held', () => {
    const { cache } = lru(10, 100)
    cache.set('a', 1, 100)
    for (const ttl of [0, -5, Number.NaN]) expect(cache.set('a', 2, ttl)).toBe(false)
    expect(cache.get('a')).toBeUndefined()
    expect([cache.size, cache.calculatedSize]).toEqual([0, 0])
  })

  it('delete drops an entry and its size', () => {
    const { cache } = lru(10, 100)
    cache.set('a', 3, 100)
    cache.set('b', 4, 100)
    expect(cache.delete('a')).toBe(true)
    expect(cache.delete('a')).toBe(false)
    expect([cache.size, cache.calculatedSize, cache.evictions]).toEqual([1, 4, 0])
    expect(cache.get('a')).toBeUndefined()
  })

  it('refuses bounds that cannot hold anything', () => {
    const sizeOf = () => 1
    expect(() => new BoundedLru({ maxEntries: 0, maxSize: 10, sizeOf })).toThrow(RangeError)
    expect(() => new BoundedLru({ maxEntries: 1.5, maxSize: 10, sizeOf })).toThrow(RangeError)
    expect(() => new BoundedLru({ maxEntries: 1, maxSize: 0, sizeOf })).toThrow(RangeError)
  })

  it('measures TTLs on the real clock by default', async () => {
    const cache = new BoundedLru<string, number>({ maxEntries: 10, maxSize: 100, sizeOf: () => 1 })
    cache.set('a', 1, 20)
    cache.set('b', 1, 10_000)
    expect(cache.get('a')).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(cache.get('a')).toBeUndefined()
    expect(cache.get('b')).toBe(1)
  })
})
