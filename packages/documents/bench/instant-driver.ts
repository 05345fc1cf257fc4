/**
 * A transport that answers every statement at once with the same rows: for
 * measuring the CPU a layer adds on top of Kysely, with no I/O or database
 * time in the numbers.
 */
import {
  type Database,
  databaseOver,
  type Statement,
  type StatementResult,
  type Transport,
} from '@serverless-dal/repository'

export function instantDatabase(rows: Record<string, unknown>[]): Database {
  const answer = (): StatementResult => ({ command: 'SELECT', rows })
  const all = async (statements: readonly Statement[]) => statements.map(answer)
  const transport: Transport = {
    batch: all,
    execute: async () => answer(),
    openSession: async () => ({ pipeline: all, execute: async () => answer(), release: () => {} }),
    sessionPerConnection: true,
    dispose: async () => {},
  }
  return databaseOver(transport, 'neon-pool')
}
