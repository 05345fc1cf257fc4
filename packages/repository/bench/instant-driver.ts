/**
 * A Kysely dialect whose driver answers every statement at once with the same
 * rows: for measuring the CPU a layer adds on top of Kysely, with no I/O or
 * database time in the numbers.
 */
import {
  CamelCasePlugin,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely'
import type { DB } from '../src/index.ts'

export function instantDatabase(rows: Record<string, unknown>[]): Kysely<DB> {
  const connection: DatabaseConnection = {
    executeQuery: async <R>() => ({ rows: rows as R[] }) as QueryResult<R>,
    // biome-ignore lint/correctness/useYield: never streamed in the benchmark
    streamQuery: async function* () {
      throw new Error('not streamed')
    },
  }
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: async () => {},
    commitTransaction: async () => {},
    rollbackTransaction: async () => {},
    releaseConnection: async () => {},
    destroy: async () => {},
  }
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [new CamelCasePlugin()],
  })
}
