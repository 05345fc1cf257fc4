import { describe, expect, it } from 'vitest'
import { Mutex } from './mutex.ts'

describe('Mutex', () => {
  it('lets one holder in at a time, in arrival order', async () => {
    const mutex = new Mutex()
    const events: string[] = []
    const hold = async (name: string, ticks: number) => {
      const release = await mutex.acquire()
      events.push(`${name} in`)
      for (let i = 0; i < ticks; i++) await Promise.resolve()
      events.push(`${name} out`)
      release()
    }
    await Promise.all([hold('a', 3), hold('b', 1), hold('c', 0)])
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out'])
  })

  it('ignores a second release of the same hold', async () => {
    const mutex = new Mutex()
    const first = await mutex.acquire()
    const second = mutex.acquire()
    first()
    first()
    const releaseSecond = await second
    let thirdIn = false
    const third = mutex.acquire().then((release) => {
      thirdIn = true
      release()
    })
    await Promise.resolve()
    await Promise.resolve()
    expect(thirdIn).toBe(false)
    releaseSecond()
    await third
    expect(thirdIn).toBe(true)
  })
})
