import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createPoolCache, type PoolCredentials } from './pool-cache.ts'

/** Stand-ins for pg pools that only record whether they were ended. */
function fakePools() {
  const opened: Array<{ database: string; ended: boolean }> = []
  const open = ({ database }: PoolCredentials) => {
    const record = { database, ended: false }
    opened.push(record)
    return {
      end: async () => {
        record.ended = true
      },
    } as unknown as pg.Pool
  }
  const ended = () => opened.filter((pool) => pool.ended).map((pool) => pool.database)
  return { opened, open, ended }
}

const credentials = (database: string) => ({ user: 'u', password: '', database })

describe('createPoolCache', () => {
  it('ends the least recently used pool when a new connection string comes past the bound', async () => {
    const pools = fakePools()
    const cache = createPoolCache(2, pools.open)
    cache.lease(credentials('a')).done()
    cache.lease(credentials('b')).done()
    cache.lease(credentials('a')).done() // a is now the most recent
    cache.lease(credentials('c')).done()
    await Promise.resolve()
    expect(pools.ended()).toEqual(['b'])
    const again = cache.lease(credentials('a'))
    expect(again.pool).toBe(cache.lease(credentials('a')).pool) // kept, not reopened
    expect(pools.opened.map((pool) => pool.database)).toEqual(['a', 'b', 'c'])
  })

  it('ends an evicted pool only once its requests in flight are done', async () => {
    const pools = fakePools()
    const cache = createPoolCache(1, pools.open)
    const inFlight = cache.lease(credentials('a'))
    cache.lease(credentials('b')).done()
    await Promise.resolve()
    expect(pools.ended()).toEqual([])
    inFlight.done()
    inFlight.done() // twice is harmless
    await Promise.resolve()
    expect(pools.ended()).toEqual(['a'])
  })

  it('ends every pool on close, evicted ones still finishing included', async () => {
    const pools = fakePools()
    const cache = createPoolCache(1, pools.open)
    cache.lease(credentials('a')) // never done
    cache.lease(credentials('b'))
    await cache.close()
    expect(pools.ended().sort()).toEqual(['a', 'b'])
  })
})
