/** How tenant sessions behave; one object per factory, shared by its sessions. */
import type { Logger } from '../logger.ts'
import type { RetryPolicy } from './retry.ts'

export interface SessionSettings {
  /**
   * Every unit of work also switches to the RLS-bound role (in its first round
   * trip, beside the organization setting), so Postgres enforces tenancy too.
   * Off, tenancy rests on the repositories' own filter and the connection
   * role must bypass RLS; it costs the same round trips either way.
   */
  rowLevelSecurity: boolean
  /** `statement_timeout` of every transaction. */
  statementTimeoutMs: number
  retry: RetryPolicy
  logger: Logger
}
