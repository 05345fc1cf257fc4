import { describe, expect, it } from 'vitest'
import { PendingInvalidations } from './generations.ts'

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
