/** Fails the whole run at once, with a clear message, when Postgres is missing. */
import { assertPostgresReachable } from './postgres.ts'

export default async function setup(): Promise<void> {
  await assertPostgresReachable()
}
