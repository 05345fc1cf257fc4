import { describe, expect, it } from 'vitest'
import { DatabaseConfigError, databaseConfigFromEnv, withSessions } from './config.ts'

describe('databaseConfigFromEnv', () => {
  it('defaults to the embedded PGlite when no DATABASE_URL is set', () => {
    expect(databaseConfigFromEnv({})).toEqual({ driver: 'pglite' })
    expect(databaseConfigFromEnv({ DATABASE_URL: '  ', PGLITE_DATA_DIR: '/tmp/db' })).toEqual({
      driver: 'pglite',
      dataDir: '/tmp/db',
    })
  })

  it('picks the driver from the runtime and the URL', () => {
    const neon = 'postgres://u:p@ep-x.eu-central-1.aws.neon.tech/db'
    const rds = 'postgres://u:p@app.abc123.eu-west-1.rds.amazonaws.com:5432/app'
    const chosen = (url: string, runtime: 'workers' | 'lambda' | 'node', extra = {}) =>
      databaseConfigFromEnv({ DATABASE_URL: url, ...extra }, { runtime }).driver
    expect(chosen(neon, 'workers')).toBe('neon') // HTTP batches: no connection to open per request
    expect(chosen(neon, 'lambda')).toBe('neon-pool') // connections live across invocations there
    expect(chosen(neon, 'node')).toBe('neon-pool')
    expect(chosen(rds, 'lambda')).toBe('pg') // any other Postgres: node-postgres over TCP
    expect(chosen(rds, 'node')).toBe('pg')
    expect(chosen(rds, 'node', { NEON_WS_PROXY: 'ws://127.0.0.1:4444/v1' })).toBe('neon-pool') // the local stand-in
    expect(chosen(rds, 'node', { DATABASE_DRIVER: 'neon-http' })).toBe('neon-http')
    expect(databaseConfigFromEnv({ DATABASE_URL: neon })).toEqual({ driver: 'neon-pool', connectionString: neon })
  })

  it('reads the local proxy and the pool size', () => {
    expect(
      databaseConfigFromEnv({
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/app',
        NEON_WS_PROXY: 'ws://127.0.0.1:4444/v1',
        NEON_HTTP_ENDPOINT: 'http://127.0.0.1:4444/sql',
        DATABASE_POOL_MAX: '3',
      }),
    ).toEqual({
      driver: 'neon-pool',
      connectionString: 'postgresql://postgres@127.0.0.1:5432/app',
      proxy: { webSocketUrl: 'ws://127.0.0.1:4444/v1', httpEndpoint: 'http://127.0.0.1:4444/sql' },
      maxConnections: 3,
    })
    expect(databaseConfigFromEnv({ DATABASE_URL: 'postgres://h/db', DATABASE_POOL_MAX: '2' })).toEqual({
      driver: 'pg',
      connectionString: 'postgres://h/db',
      maxConnections: 2,
    })
  })

  it('gives migrations a driver that holds sessions', () => {
    const url = 'postgres://h/db'
    expect(withSessions({ driver: 'neon-http', connectionString: url })).toEqual({
      driver: 'neon-pool',
      connectionString: url,
    })
    expect(withSessions({ driver: 'neon', connectionString: url })).toEqual({
      driver: 'neon-pool',
      connectionString: url,
    })
    const pg = { driver: 'pg', connectionString: url } as const
    expect(withSessions(pg)).toBe(pg)
  })

  it('explains each bad value without echoing the secret URL', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ DATABASE_URL: 'mysql://user:secret@h/db' }, /DATABASE_URL must start with postgres:\/\//],
      [{ DATABASE_URL: 'not a url secret' }, /DATABASE_URL is not a valid URL/],
      [{ DATABASE_URL: 'postgres://h/db', DATABASE_DRIVER: 'mysql' }, /one of neon, neon-pool, neon-http, pg/],
      [{ DATABASE_URL: 'postgres://h/db', DATABASE_POOL_MAX: '0' }, /positive integer/],
      [{ DATABASE_URL: 'postgres://h/db', NEON_WS_PROXY: 'http://x' }, /NEON_WS_PROXY must start with ws:\/\//],
    ]
    for (const [env, message] of bad) {
      const error = (() => {
        try {
          databaseConfigFromEnv(env)
        } catch (e) {
          return e as Error
        }
      })()
      expect(error).toBeInstanceOf(DatabaseConfigError)
      expect(error?.message).toMatch(message)
      expect(error?.message).not.toContain('secret')
    }
  })
})
