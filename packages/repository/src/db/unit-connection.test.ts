/** The connection's units against a transport that records what it is asked to send (a fake: no database). */
import { AbortedTransactionError } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Session, Statement, StatementResult, Transport } from './transport.ts'
import { NestedTransactionError, TransactionsUnsupportedError, UnitConnection } from './unit-connection.ts'

const q = (sql: string, ...parameters: unknown[]): Statement => ({ sql, parameters })

function fakeTransport(options: { sessions?: boolean; answer?: (sql: string) => StatementResult } = {}) {
  const sent: string[][] = []
  const released: boolean[] = []
  let fail: unknown
  const answer = (statement: Statement) => options.answer?.(statement.sql) ?? { command: 'SELECT', rows: [] }
  const run = async (statements: readonly Statement[]) => {
    sent.push(statements.map((s) => s.sql))
    if (fail) {
      const error = fail
      fail = undefined
      throw error
    }
    return statements.map(answer)
  }
  const session: Session = {
    pipeline: run,
    execute: async (statement) => (await run([statement]))[0] as StatementResult,
    release: (broken) => released.push(broken),
  }
  const transport: Transport = {
    batch: run,
    execute: async (statement) => (await run([statement]))[0] as StatementResult,
    openSession: options.sessions === false ? undefined : async () => session,
    sessionPerConnection: true,
    dispose: async () => {},
  }
  return {
    connection: new UnitConnection(transport, 'fake'),
    sent,
    released,
    failNext: (error: unknown) => {
      fail = error
    },
  }
}

describe('an interactive transaction', () => {
  it('sends BEGIN and what waits with its first statement, and COMMIT as the last round trip', async () => {
    const { connection, sent, released } = fakeTransport()
    connection.begin({ accessMode: 'read only' })
    connection.defer(q('select set_config($1, $2, true)', 'app.organization_id', 'acme'))
    await connection.executeQuery(q('select 1 where $1', true))
    connection.defer(q('savepoint "sp_1"'))
    await connection.executeQuery(q('insert into t values ($1)', 1))
    await connection.commit()
    connection.release()
    expect(sent).toEqual([
      ['start transaction read only', 'select set_config($1, $2, true)', 'select 1 where $1'],
      ['savepoint "sp_1"', 'insert into t values ($1)'],
      ['commit'],
    ])
    expect(released).toEqual([false])
  })

  it('costs nothing when it ran no statement', async () => {
    const { connection, sent, released } = fakeTransport()
    connection.begin({})
    connection.defer(q('select set_config($1, $2, true)', 'a', 'b'))
    await connection.commit()
    connection.release()
    expect(sent).toEqual([])
    expect(released).toEqual([]) // no connection was ever taken
  })

  it('fails the commit that the server answered with ROLLBACK', async () => {
    const { connection } = fakeTransport({
      answer: (sql) => ({ command: sql === 'commit' ? 'ROLLBACK' : 'SELECT', rows: [] }),
    })
    connection.begin({})
    await connection.executeQuery(q('select $1', 1))
    await expect(connection.commit()).rejects.toBeInstanceOf(AbortedTransactionError)
  })

  it('sends a statement without parameters apart, after what waits: it may hold several commands', async () => {
    const { connection, sent } = fakeTransport()
    connection.begin({})
    await connection.executeQuery(q('create table a (x int); create table b (y int)'))
    expect(sent).toEqual([['begin'], ['create table a (x int); create table b (y int)']])
  })

  it('closes a connection that failed other than with a server error, and one released mid-transaction', async () => {
    const broken = fakeTransport()
    broken.connection.begin({})
    broken.failNext(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
    await expect(broken.connection.executeQuery(q('select $1', 1))).rejects.toThrow('EPIPE')
    await broken.connection.rollback().catch(() => {})
    broken.connection.release()
    expect(broken.released).toEqual([true])

    const abandoned = fakeTransport()
    abandoned.connection.begin({})
    await abandoned.connection.executeQuery(q('select $1', 1))
    abandoned.connection.release() // neither committed nor rolled back: its state is unknown
    expect(abandoned.released).toEqual([true])
  })

  it('keeps a connection whose statement the server refused', async () => {
    const { connection, released, failNext } = fakeTransport()
    connection.begin({})
    failNext(Object.assign(new Error('duplicate key'), { code: '23505' }))
    await expect(connection.executeQuery(q('insert into t values ($1)', 1))).rejects.toThrow('duplicate key')
    await connection.rollback()
    connection.release()
    expect(released).toEqual([false])
  })

  it('is refused before anything is sent where the driver has no sessions', async () => {
    const { connection, sent } = fakeTransport({ sessions: false })
    expect(() => connection.begin({})).toThrow(TransactionsUnsupportedError)
    expect(sent).toEqual([])
  })
})

describe('a batch unit', () => {
  it('sends each statement with the prelude, as one batch each', async () => {
    const { connection, sent } = fakeTransport()
    connection.openBatch([q('select set_config($1, $2, true)', 'app.organization_id', 'acme')])
    await connection.executeQuery(q('select $1', 1))
    await connection.executeQuery(q('select $1', 2))
    expect(sent).toEqual([
      ['select set_config($1, $2, true)', 'select $1'],
      ['select set_config($1, $2, true)', 'select $1'],
    ])
  })

  it('refuses a transaction begun inside it, which would run without the prelude', () => {
    const { connection } = fakeTransport()
    connection.openBatch([q('select set_config($1, $2, true)', 'app.organization_id', 'acme')])
    expect(() => connection.begin({})).toThrow(NestedTransactionError)
  })
})
