import type { CacheAnswer } from '@serverless-dal/repository'
import { describe, expect, it } from 'vitest'
import { cacheStatus } from './cache-status.ts'

const both = ['memory', 'redis'] as const
const hit = (outcome: 'memory-hit' | 'redis-hit' | 'stale', ageMs: number, ttlMs: number): CacheAnswer => ({
  outcome,
  ageMs,
  ttlMs,
})

describe('Cache-Status and Age', () => {
  it('name each configured tier, the one nearest the origin first, with what is left of the freshness', () => {
    expect(cacheStatus([hit('memory-hit', 1_500, 58_500)], both)).toEqual({
      'cache-status': 'dal-memory; hit; ttl=58',
      age: '1',
    })
    expect(cacheStatus([hit('redis-hit', 30_000, 30_000)], both)).toEqual({
      'cache-status': 'dal-redis; hit; ttl=30, dal-memory; fwd=miss; stored',
      age: '30',
    })
    expect(cacheStatus([{ outcome: 'miss', storedIn: ['memory', 'redis'] }], both)).toEqual({
      'cache-status': 'dal-redis; fwd=miss; stored, dal-memory; fwd=miss; stored',
    })
    expect(cacheStatus([hit('stale', 65_000, -5_000)], both)).toEqual({
      'cache-status': 'dal-redis; hit; ttl=-5, dal-memory; fwd=miss',
      age: '65',
    })
  })

  it('say when a read shared another request’s load, or asked for the database', () => {
    expect(cacheStatus([{ outcome: 'miss', storedIn: ['memory', 'redis'], collapsed: true }], both)).toEqual({
      'cache-status': 'dal-redis; fwd=miss; stored, dal-memory; fwd=miss; stored; collapsed',
    })
    expect(cacheStatus([{ outcome: 'bypass', requested: true }], both)).toEqual({
      'cache-status': 'dal-redis; fwd=request, dal-memory; fwd=request',
    })
  })

  it('leave out a tier that is not configured, and say nothing without a read or a cache', () => {
    expect(cacheStatus([{ outcome: 'miss', storedIn: ['memory'] }], both)).toEqual({
      'cache-status': 'dal-redis; fwd=miss, dal-memory; fwd=miss; stored', // Redis could not take it
    })
    expect(cacheStatus([{ outcome: 'miss', storedIn: ['memory'] }], ['memory'])).toEqual({
      'cache-status': 'dal-memory; fwd=miss; stored',
    })
    expect(cacheStatus([hit('redis-hit', 0, 60_000)], ['redis'])).toEqual({
      'cache-status': 'dal-redis; hit; ttl=60',
      age: '0',
    })
    expect(cacheStatus([{ outcome: 'bypass' }], [])).toEqual({})
    expect(cacheStatus([], both)).toEqual({})
  })

  it('describe the last read of the request', () => {
    expect(cacheStatus([{ outcome: 'miss' }, hit('memory-hit', 0, 1_000)], both)).toEqual({
      'cache-status': 'dal-memory; hit; ttl=1',
      age: '0',
    })
  })
})
