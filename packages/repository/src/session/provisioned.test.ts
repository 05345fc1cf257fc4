import { describe, expect, it } from 'vitest'
import { ProvisionedOrganizations } from './provisioned.ts'

describe('provisioned organizations', () => {
  it('stay within their bound, forgetting all at once rather than growing with every tenant', () => {
    const known = new ProvisionedOrganizations(3)
    for (const org of ['a', 'b', 'c']) known.add(org)
    expect(['a', 'b', 'c'].every((org) => known.has(org))).toBe(true)
    known.add('d')
    expect(known.size).toBe(1)
    expect(known.has('d')).toBe(true)
    expect(known.has('a')).toBe(false) // provisioned again, idempotently, by its next write
    for (let i = 0; i < 1_000; i++) known.add(`org-${i}`)
    expect(known.size).toBeLessThanOrEqual(3)
  })
})
