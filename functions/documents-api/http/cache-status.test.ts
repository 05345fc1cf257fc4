import { describe, expect, it } from 'vitest'
import { cacheStatus } from './cache-status.ts'

const both = ['memory', 'redis'] as const

describe('Cache-Status', () => {
  it('names each configured tier, the one nearest the origin first', () => {
    expect(cacheStatus(['memory-hit'], both)).toEqual({ 'cache-status': 'dal-memory; hit' })
    expect(cacheStatus(['redis-hit'], both)).toEqual({ 'cache-status': 'dal-redis; hit, dal-memory; fwd=miss' })
    expect(cacheStatus(['miss'], both)).toEqual({ 'cache-status': 'dal-redis; fwd=miss, dal-memory; fwd=miss' })
    expect(cacheStatus(['stale'], both)).toEqual({ 'cache-status': 'dal-redis; hit; fwd=stale, dal-memory; fwd=miss' })
  })

  it('leaves out a tier that is not configured, and says nothing without a read or a cache', () => {
    expect(cacheStatus(['miss'], ['memory'])).toEqual({ 'cache-status': 'dal-memory; fwd=miss' })
    expect(cacheStatus(['redis-hit'], ['redis'])).toEqual({ 'cache-status': 'dal-redis; hit' })
    expect(cacheStatus(['bypass'], [])).toEqual({})
    expect(cacheStatus([], both)).toEqual({})
  })

  it('describes the last read of the request', () => {
    expect(cacheStatus(['miss', 'memory-hit'], both)).toEqual({ 'cache-status': 'dal-memory; hit' })
  })
})
