import { describe, expect, it } from 'vitest'
import { CacheManager } from './cache-manager.ts'
import type { CachedRead } from './port.ts'

function spec(overrides: Partial<CachedRead<unknown>> = {}): CachedRead<unknown> & { loads: number } {
  const counted: CachedRead<unknown> & { loads: number } = {
    orgId: 'acme',
    repository: 'documents',
    operation: 'findById',
    queryType: 'findById',
    params: { id: 1 },
    tags: ['documents:1'],
    loads: 0,
    load: async (): Promise<unknown> => {
      counted.loads += 1
      return { id: 1, at: new Date(0), loads: counted.loads }
    },
    ...overrides,
  }
  return counted
}

describe('CacheManager without Redis', () => {
  it('passes every read through when both tiers are off', async () => {
    const cache = new CacheManager({ memory: false })
    const read = spec()
    expect((await cache.read(read)).outcome).toBe('bypass')
    expect((await cache.read(read)).outcome).toBe('bypass')
    expect(read.loads).toBe(2)
    expect(cache.enabled).toBe(false)
  })

  it('answers from memory alone, and an invalidation in this isolate takes effect at once', async () => {
    const cache = new CacheManager()
    const read = spec()
    expect((await cache.read(read)).outcome).toBe('miss')
    const hit = await cache.read(read)
    expect(hit).toMatchObject({
      outcome: 'memory-hit',
      value: { id: 1, at: new Date(0), loads: 1 },
      ttlMs: expect.any(Number),
    })
    await cache.invalidate('acme', ['documents:1'])
    expect(await cache.read(read)).toMatchObject({ outcome: 'miss', value: { id: 1, at: new Date(0), loads: 2 } })
    await cache.invalidate('other-org', ['documents:1'])
    expect((await cache.read(read)).outcome).toBe('memory-hit')
  })

  it('hands out copies, so a caller cannot change what is cached', async () => {
    const cache = new CacheManager()
    const read = spec()
    const first = (await cache.read(read)).value as { id: number }
    first.id = 999
    expect(((await cache.read(read)).value as { id: number }).id).toBe(1)
  })

  it('drops a value loaded while a write invalidated its tags (dead on arrival)', async () => {
    const cache = new CacheManager()
    let finishLoad = () => {}
    const read = spec({
      load: () =>
        new Promise((resolve) => {
          finishLoad = () => resolve({ id: 1, title: 'old' })
        }),
    })
    const pending = cache.read(read)
    await Promise.resolve()
    await cache.invalidate('acme', ['documents:1'])
    finishLoad()
    expect((await pending).outcome).toBe('miss')
    const again = spec({ load: async () => ({ id: 1, title: 'new' }) })
    expect(await cache.read(again)).toMatchObject({ outcome: 'miss', value: { id: 1, title: 'new' } })
  })
})
