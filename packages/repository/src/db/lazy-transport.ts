/**
 * A transport whose driver loads on first use: a bundle's largest driver
 * (Neon's is about 140 KiB minified) is then neither evaluated nor compiled
 * when an isolate starts, and a request that never reaches the database
 * (a memory hit, a refused token, `/ping`) never pays for it (issue 18).
 *
 * What a caller may ask before the first statement (`openSession` present or
 * not, `sessionPerConnection`) is said up front; every call after the load
 * goes straight to the loaded transport. A load that fails is retried by the
 * next call, so a flaky import does not poison the isolate.
 */
import { LoadOnce } from '../load-once.ts'
import type { Statement, StatementResult, Transport } from './transport.ts'

export interface TransportShape {
  /** Whether the loaded transport has sessions (`openSession`). */
  sessions: boolean
  sessionPerConnection: boolean
}

export function lazyTransport(load: () => Promise<Transport>, shape: TransportShape): Transport {
  const driver = new LoadOnce(load)
  let disposed = false
  /** The call on the loaded transport: at once once it is there, after the load before. */
  const send = <R>(call: (transport: Transport) => Promise<R>): Promise<R> => {
    const ready = driver.loaded
    if (ready) return call(ready)
    // a statement after dispose must not open a pool that nobody will close
    if (disposed) return Promise.reject(new Error('the database was disposed'))
    return driver.get().then(call)
  }
  return {
    batch: (statements: readonly Statement[]): Promise<StatementResult[]> => send((ready) => ready.batch(statements)),
    execute: (statement: Statement): Promise<StatementResult> => send((ready) => ready.execute(statement)),
    openSession: shape.sessions
      ? () =>
          send(async (ready) => {
            if (!ready.openSession) throw new Error('the loaded transport has no sessions')
            return ready.openSession()
          })
      : undefined,
    sessionPerConnection: shape.sessionPerConnection,
    dispose: async () => {
      disposed = true
      await (await driver.started?.catch(() => undefined))?.dispose()
    },
  }
}
