/** A first-come, first-served lock for one shared resource (PGlite's single session). */
export class Mutex {
  #tail: Promise<void> = Promise.resolve()

  /** Waits for the lock; call the returned function exactly once to release it. */
  async acquire(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((resolve) => {
      release = resolve
    })
    const previous = this.#tail
    this.#tail = previous.then(() => next)
    await previous
    let released = false
    return () => {
      if (released) return
      released = true
      release()
    }
  }
}
