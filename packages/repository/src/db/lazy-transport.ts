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
import type { Session, Statement, StatementResult, Transport } from './transport.ts'

export interface TransportShape {
  /** Whether the loaded transport has sessions (`openSession`). */
  sessions: boolean
  sessionPerConnection: boolean
}

export function lazyTransport(load: () => Promise<Transport>, shape: TransportShape): Transport {
  let loading: Promise<Transport> | undefined
  let loaded: Transport | undefined
  let disposed = false
  const transport = (): Promise<Transport> => {
    // a statement after dispose must not open a pool that nobody will close
    if (disposed) return Promise.reject(new Error('the database was disposed'))
    loading ??= load().then(
      (ready) => {
        loaded = ready
        return ready
      },
      (error: unknown) => {
        loading = undefined
        throw error
      },
    )
    return loading
  }
  return {
    batch: (statements: readonly Statement[]): Promise<StatementResult[]> =>
      loaded ? loaded.batch(statements) : transport().then((ready) => ready.batch(statements)),
    execute: (statement: Statement): Promise<StatementResult> =>
      loaded ? loaded.execute(statement) : transport().then((ready) => ready.execute(statement)),
    openSession: shape.sessions
      ? async (): Promise<Session> => {
          const ready = loaded ?? (await transport())
          if (!ready.openSession) throw new Error('the loaded transport has no sessions')
          return ready.openSession()
        }
      : undefined,
    sessionPerConnection: shape.sessionPerConnection,
    dispose: async () => {
      disposed = true
      if (loading) await (await loading.catch(() => undefined))?.dispose()
    },
  }
}
