/**
 * Something loaded on its first use (a driver module, a client), once for
 * every caller at the same time; a load that failed is tried again by the
 * next caller, so a flaky import does not poison the isolate. `lazyTransport`
 * and `lazyRedis` are built on it.
 */
export class LoadOnce<T> {
  readonly #load: () => Promise<T>
  #loading: Promise<T> | undefined
  #loaded: T | undefined

  constructor(load: () => Promise<T>) {
    this.#load = load
  }

  /** What was loaded, once it was: calls then go straight to it, with no promise in between. */
  get loaded(): T | undefined {
    return this.#loaded
  }

  /** The load that is running or has ended, if one was started. */
  get started(): Promise<T> | undefined {
    return this.#loading
  }

  get(): Promise<T> {
    this.#loading ??= this.#load().then(
      (ready) => {
        this.#loaded = ready
        return ready
      },
      (error: unknown) => {
        this.#loading = undefined
        throw error
      },
    )
    return this.#loading
  }
}
