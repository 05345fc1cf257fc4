/** Drivers are handed in: a config naming one that was not fails at construction, with the import that fixes it. */
import { describe, expect, it } from 'vitest'
import { neonDrivers } from '../drivers/neon/index.ts'
import { pgliteDriver } from '../drivers/pglite/index.ts'
import { RepositoryFactory } from '../factory/repository-factory.ts'
import { silentLogger } from '../logger.ts'
import { type DatabaseConfig, DatabaseConfigError } from './config.ts'
import { createDatabase, type Database } from './create-database.ts'
import { perProcessLifetime, perRequestLifetime } from './lifetime.ts'
import type { Transport } from './transport.ts'

const CONNECTION = 'postgres://app@db.example.test:5432/app'
const CONFIGS: Array<[DatabaseConfig, RegExp]> = [
  [
    { driver: 'neon', connectionString: CONNECTION },
    /import \{ neonDrivers \} from '@serverless-dal\/repository\/neon'/,
  ],
  [{ driver: 'neon-pool', connectionString: CONNECTION }, /'@serverless-dal\/repository\/neon'/],
  [{ driver: 'neon-http', connectionString: CONNECTION }, /drivers: \[neonDrivers\]/],
  [{ driver: 'pglite' }, /import \{ pgliteDriver \} from '@serverless-dal\/repository\/pglite'/],
  [{ driver: 'pg', connectionString: CONNECTION }, /import pg from 'pg' and pass `\{ pg \}`/],
]

/** A pool that never connects: constructing a database does no I/O. */
class IdlePool {
  on() {}
  async end() {}
}

describe('drivers handed in', () => {
  it.each(CONFIGS)('refuses %o without its driver, naming the import to add', (config, hint) => {
    expect(() => createDatabase(config)).toThrow(DatabaseConfigError)
    expect(() => createDatabase(config)).toThrow(hint)
    // the other drivers do not stand in for it
    const others = config.driver === 'pglite' ? [neonDrivers] : [pgliteDriver]
    expect(() => createDatabase(config, { drivers: others })).toThrow(`the ${config.driver} driver was not provided`)
  })

  it('fails a lifetime, and so a factory, at construction rather than at the first request', () => {
    const config: DatabaseConfig = { driver: 'neon-http', connectionString: CONNECTION }
    expect(() => perRequestLifetime(config)).toThrow(DatabaseConfigError)
    expect(() => perProcessLifetime(config)).toThrow(DatabaseConfigError)
    const factory = () =>
      new RepositoryFactory({ database: config, runtime: 'workers', repositories: {}, logger: silentLogger })
    expect(factory).toThrow(/@serverless-dal\/repository\/neon/)
  })

  it('opens each driver name through the set that serves it, with no I/O', async () => {
    const opened: Database[] = [
      createDatabase({ driver: 'neon', connectionString: CONNECTION }, { drivers: [pgliteDriver, neonDrivers] }),
      createDatabase({ driver: 'neon-http', connectionString: CONNECTION }, { drivers: [neonDrivers] }),
      createDatabase({ driver: 'neon-pool', connectionString: CONNECTION }, { drivers: [neonDrivers] }),
      createDatabase({ driver: 'pglite' }, { drivers: [neonDrivers, pgliteDriver] }),
      createDatabase({ driver: 'pg', connectionString: CONNECTION }, { pg: { Pool: IdlePool } }),
    ]
    expect(opened.map(({ driver, supportsSessions }) => [driver, supportsSessions])).toEqual([
      ['neon', true],
      ['neon-http', false],
      ['neon-pool', true],
      ['pglite', true],
      ['pg', true],
    ])
    await Promise.all(opened.map((database) => database.dispose()))
  })

  it('takes a driver of your own for a name, ahead of the shipped one', async () => {
    const seen: DatabaseConfig[] = []
    const transport: Transport = {
      batch: async () => [],
      execute: async () => ({ command: 'SELECT', rows: [{ answer: 42 }] }),
      openSession: undefined,
      sessionPerConnection: false,
      dispose: async () => {},
    }
    const mine = {
      'neon-http': (config: DatabaseConfig) => {
        seen.push(config)
        return transport
      },
    }
    const config: DatabaseConfig = { driver: 'neon-http', connectionString: CONNECTION }
    const database = createDatabase(config, { drivers: [mine, neonDrivers] })
    expect(seen).toEqual([config])
    expect(database.supportsSessions).toBe(false)
    await database.dispose()
  })
})
