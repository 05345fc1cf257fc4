import { describe, expect, it } from 'vitest'
import { lazyTransport } from './lazy-transport.ts'
import type { Statement, StatementResult, Transport } from './transport.ts'

const result = (sql: string): StatementResult => ({ command: 'SELECT', rows: [{ sql }] })

/** A transport that records what it was asked, built by a load that counts its calls. */
function counted(failures = 0) {
  const calls = { loads: 0, batches: 0, disposed: 0 }
  const transport: Transport = {
    batch: async (statements: readonly Statement[]) => {
      calls.batches++
      return statements.map((statement) => result(statement.sql))
    },
    execute: async (statement) => result(statement.sql),
    openSession: async () => ({ pipeline: async () => [], execute: async (s) => result(s.sql), release: () => {} }),
    sessionPerConnection: true,
    dispose: async () => {
      calls.disposed++
    },
  }
  const load = async () => {
    calls.loads++
    if (calls.loads <= failures) throw new Error(`load ${calls.loads} failed`)
    return transport
  }
  return { calls, load }
}

const select = (sql: string): Statement => ({ sql, parameters: [] })

describe('lazyTransport', () => {
  it('loads nothing until the first statement, then once for every caller', async () => {
    const { calls, load } = counted()
    const transport = lazyTransport(load, { sessions: true, sessionPerConnection: true })
    expect(calls.loads).toBe(0)
    const answers = await Promise.all([
      transport.execute(select('select 1')),
      transport.batch([select('select 2')]),
      transport.execute(select('select 3')),
    ])
    expect(calls.loads).toBe(1)
    expect(answers[0].rows).toEqual([{ sql: 'select 1' }])
    expect(answers[1].map((r) => r.rows)).toEqual([[{ sql: 'select 2' }]])
    await transport.batch([select('select 4')])
    expect(calls).toEqual({ loads: 1, batches: 2, disposed: 0 })
  })

  it('says up front whether it has sessions, and opens them from the loaded transport', async () => {
    const withSessions = lazyTransport(counted().load, { sessions: true, sessionPerConnection: false })
    const without = lazyTransport(counted().load, { sessions: false, sessionPerConnection: false })
    expect(without.openSession).toBeUndefined()
    expect(withSessions.sessionPerConnection).toBe(false)
    const session = await withSessions.openSession?.()
    expect((await session?.execute(select('select 5')))?.rows).toEqual([{ sql: 'select 5' }])
  })

  it('tries the load again after it failed, instead of failing every later call', async () => {
    const { calls, load } = counted(1)
    const transport = lazyTransport(load, { sessions: false, sessionPerConnection: false })
    await expect(transport.execute(select('select 1'))).rejects.toThrow('load 1 failed')
    expect((await transport.execute(select('select 1'))).rows).toEqual([{ sql: 'select 1' }])
    expect(calls.loads).toBe(2)
  })

  it('disposes the loaded transport, and loads nothing to dispose of when never used', async () => {
    const unused = counted()
    await lazyTransport(unused.load, { sessions: false, sessionPerConnection: false }).dispose()
    expect(unused.calls).toEqual({ loads: 0, batches: 0, disposed: 0 })
    const used = counted()
    const transport = lazyTransport(used.load, { sessions: false, sessionPerConnection: false })
    await transport.execute(select('select 1'))
    await transport.dispose()
    expect(used.calls.disposed).toBe(1)
  })

  it('refuses a statement after dispose instead of loading a pool nobody would close', async () => {
    const { calls, load } = counted()
    const transport = lazyTransport(load, { sessions: false, sessionPerConnection: false })
    await transport.dispose()
    await expect(transport.execute(select('select 1'))).rejects.toThrow('the database was disposed')
    expect(calls.loads).toBe(0)
  })
})
