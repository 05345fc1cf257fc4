import { describe, expect, it } from 'vitest'
import { BackgroundWork } from './background-work.ts'

const later = () => {
  let release = () => {}
  const promise = new Promise<void>((resolve) => {
    release = resolve
  })
  return { promise, release }
}

describe('a request scope’s background work', () => {
  it('settles when its own work is done, and is handed to waitUntil as it starts', async () => {
    const handed: Promise<unknown>[] = []
    const work = new BackgroundWork((p) => handed.push(p))
    const store = later()
    work.add(store.promise)
    expect(work.size).toBe(1)
    expect(handed).toHaveLength(1)
    let settled = false
    const waiting = work.settled().then(() => {
      settled = true
    })
    await Promise.resolve()
    expect(settled).toBe(false)
    store.release()
    await waiting
    expect(work.size).toBe(0)
  })

  it('never waits for another scope’s work, and swallows its own failures', async () => {
    const mine = new BackgroundWork()
    const theirs = new BackgroundWork()
    const forever = later()
    theirs.add(forever.promise)
    mine.add(Promise.reject(new Error('a store that failed')))
    await mine.settled() // resolves although `theirs` never does
    expect(theirs.size).toBe(1)
  })
})
