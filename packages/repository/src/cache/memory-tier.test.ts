import { describe, expect, it } from 'vitest'
import { MemoryTier, stamped } from './memory-tier.ts'

const KEY = 'k'
/** The bytes memory-tier counts for an entry of `text` under KEY with one generation. */
const bytesOf = (text: string) => 2 * (text.length + KEY.length) + 8 + 64

function tier(options: Partial<ConstructorParameters<typeof MemoryTier>[0]> = {}) {
  const clock = { now: 0 }
  const memory = new MemoryTier(
    { maxEntries: 100, maxBytes: 1_000_000, maxStalenessMs: 1_000, ...options },
    () => clock.now,
  )
  return { memory, clock }
}

describe('MemoryTier', () => {
  it('answers what it was given, and sizes it by text, key and generations', () => {
    const { memory } = tier()
    const entry = stamped('hello', [3], 7)
    memory.set(KEY, entry, 5_000, 'findById')
    expect(memory.get(KEY)).toBe(entry)
    expect(memory.size).toEqual({ entries: 1, bytes: bytesOf('hello') })
    memory.delete(KEY)
    expect(memory.get(KEY)).toBeUndefined()
    expect(memory.size).toEqual({ entries: 0, bytes: 0 })
  })

  it('keeps an entry for its TTL at most the staleness bound of its query type', () => {
    const { memory, clock } = tier({ maxStalenessMs: 1_000, maxStalenessMsByQueryType: { related: 5_000 } })
    memory.set('short', stamped('a', [1], undefined), 200, 'findById') // its own TTL is the shorter
    memory.set('bounded', stamped('b', [1], undefined), 60_000, 'findById') // the default bound
    memory.set('related', stamped('c', [1], undefined), 60_000, 'related') // its type's bound
    expect(memory.boundOf('related')).toBe(5_000)
    expect(memory.boundOf('findById')).toBe(1_000)
    clock.now = 201
    expect(memory.get('short')).toBeUndefined()
    expect(memory.get('bounded')).toBeDefined()
    clock.now = 1_001
    expect(memory.get('bounded')).toBeUndefined()
    expect(memory.get('related')).toBeDefined()
    clock.now = 5_001
    expect(memory.get('related')).toBeUndefined()
    expect(memory.evictions).toBe(0) // expiries are not evictions
  })

  it('keeps an entry with no time left out of memory, dropping what the key held', () => {
    const { memory } = tier({ maxStalenessMs: 0 })
    memory.set(KEY, stamped('a', [1], undefined), 5_000, 'findById')
    expect(memory.get(KEY)).toBeUndefined()
    expect(memory.size.entries).toBe(0)
  })

  it('counts evictions by entries and by bytes', () => {
    const { memory } = tier({ maxEntries: 2, maxBytes: 3 * bytesOf('x'.repeat(10)) })
    for (const key of ['a', 'b', 'c']) memory.set(key, stamped('x', [1], undefined), 5_000, 'findById')
    expect(memory.evictions).toBe(1)
    expect(memory.get('a')).toBeUndefined()
    // a large entry pushes out both small ones
    memory.set('d', stamped('x'.repeat(80), [1], undefined), 5_000, 'findById')
    expect(memory.evictions).toBe(3)
    expect(memory.size.entries).toBe(1)
  })

  it('never holds an entry larger than its cap: keeps the rest, evicts nothing', () => {
    const { memory } = tier({ maxBytes: 1_000 })
    memory.set('small', stamped('s', [1], undefined), 5_000, 'findById')
    const before = memory.size
    memory.set('large', stamped('x'.repeat(1_000), [1], undefined), 5_000, 'findById')
    expect(memory.get('large')).toBeUndefined()
    expect(memory.size).toEqual(before)
    expect(memory.evictions).toBe(0)
  })
})
