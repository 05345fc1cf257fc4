import { describe, expect, it } from 'vitest'
import { LocalGenerations, PendingInvalidations } from './generations.ts'

describe('pending invalidations', () => {
  it('forgets what a retry sent', () => {
    const pending = new PendingInvalidations()
    pending.add('acme', ['documents:1', 'documents:list'])
    const snapshot = pending.snapshot()
    expect(snapshot.byOrg).toEqual(new Map([['acme', ['documents:1', 'documents:list']]]))
    pending.settle('acme', ['documents:1', 'documents:list'], snapshot)
    expect(pending.size).toBe(0)
    expect(pending.affects('acme', ['documents:1'])).toBe(false)
  })

  it('keeps a tag whose newer invalidation failed while a retry was on its way', () => {
    const pending = new PendingInvalidations()
    pending.add('acme', ['documents:1'])
    const snapshot = pending.snapshot() // the retry sends documents:1 …
    pending.add('acme', ['documents:1']) // … while a newer write's bump of it fails
    pending.settle('acme', ['documents:1'], snapshot) // the retry lands: the newer one must stay
    expect(pending.affects('acme', ['documents:1'])).toBe(true)
    pending.settle('acme', ['documents:1'], pending.snapshot())
    expect(pending.size).toBe(0)
  })
})

describe('local generations', () => {
  it('stay within their bound, and a stamp taken before the map was emptied never matches again', () => {
    const local = new LocalGenerations(4)
    const before = local.of('acme', ['documents:1'])
    local.bump('acme', ['documents:1'])
    const written = local.of('acme', ['documents:1'])
    expect(written).not.toEqual(before)
    for (let i = 0; i < 100; i++) local.bump(`org-${i}`, ['documents:list'])
    expect(local.size).toBeLessThanOrEqual(4)
    // documents:1 of acme was dropped: its counter reads 0 again, but the epoch moved on
    expect(local.of('acme', ['documents:1'])).not.toEqual(before)
    expect(local.of('acme', ['documents:1'])).not.toEqual(written)
  })
})
