/** Fails the whole run at once, with a clear message, when Postgres or Redis is missing. */
import { assertPostgresReachable } from './postgres.ts'
import { assertRedisReachable } from './redis.ts'

export default async function setup(): Promise<void> {
  await Promise.all([assertPostgresReachable(), assertRedisReachable()])
}
