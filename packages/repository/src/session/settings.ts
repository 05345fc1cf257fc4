/** How tenant sessions behave; one object per factory, shared by its sessions. */
import type { Logger } from '../logger.ts'
import type { RetryPolicy } from './retry.ts'

export interface SessionSettings {
  /**
   * Run every query in a transaction that sets the organization and switches to
   * the RLS-bound role, so Postgres enforces tenancy too. Off, reads skip the
   * transaction (one round trip instead of four) and tenancy rests on the
   * repositories' own filter; the connection role must then bypass RLS.
   */
  rowLevelSecurity: boolean
  /** `statement_timeout` of every transaction. */
  statementTimeoutMs: number
  retry: RetryPolicy
  logger: Logger
}
