import { describe, expect, it } from 'vitest'
import { DatabaseConfigError, databaseConfigFromEnv } from './config.ts'

describe('databaseConfigFromEnv', () => {
  it('defaults to the embedded PGlite when no DATABASE_URL is set', () => {
    expect(databaseConfigFromEnv({})).toEqual({ driver: 'pglite' })
    expect(databaseConfigFromEnv({ DATABASE_URL: '  ', PGLITE_DATA_DIR: '/tmp/db' })).toEqual({
      driver: 'pglite',
      dataDir: '/tmp/db',
    })
  })

  it('uses the Neon pool for a Postgres URL, with no proxy in production', () => {
    expect(databaseConfigFromEnv({ DATABASE_URL: 'postgres://u:p@ep-x.neon.tech/db' })).toEqual({
      driver: 'neon-pool',
      connectionString: 'postgres://u:p@ep-x.neon.tech/db',
    })
  })

  it('reads the local proxy, the HTTP driver and the pool size', () => {
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
    expect(databaseConfigFromEnv({ DATABASE_URL: 'postgres://h/db', DATABASE_DRIVER: 'neon-http' })).toEqual({
      driver: 'neon-http',
      connectionString: 'postgres://h/db',
    })
  })

  it('explains each bad value without echoing the secret URL', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ DATABASE_URL: 'mysql://user:secret@h/db' }, /DATABASE_URL must start with postgres:\/\//],
      [{ DATABASE_URL: 'not a url secret' }, /DATABASE_URL is not a valid URL/],
      [{ DATABASE_URL: 'postgres://h/db', DATABASE_DRIVER: 'pg' }, /neon-pool or neon-http/],
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
