/**
 * Statements that open a tenant's unit of work, sent in the same round trip
 * as its first statement: the settings that row-level security and the
 * statement timeout read (transaction-local, so they end with the unit and
 * never reach the next user of a pooled connection), and the organization's
 * row before its first write.
 */
import type { Statement } from '../db/transport.ts'
import { APP_ROLE, ORGANIZATION_SETTING } from '../tenancy/row-level-security.ts'
import type { TenantScope } from '../tenancy/scope.ts'
import type { SessionSettings } from './settings.ts'

/**
 * The organization, the statement timeout, with RLS the role that policies
 * bind, and for a read the transaction's read-only mode: one statement.
 * (`set_config('transaction_read_only', …)` works where `SET TRANSACTION`
 * would warn: outside an explicit transaction block.)
 */
export function tenantSettings(scope: TenantScope, settings: SessionSettings, readOnly: boolean): Statement {
  const configs = ['set_config($1, $2, true)', "set_config('statement_timeout', $3, true)"]
  const parameters = [ORGANIZATION_SETTING, scope.orgId, String(settings.statementTimeoutMs)]
  if (settings.rowLevelSecurity) {
    parameters.push(APP_ROLE)
    configs.push(`set_config('role', $${parameters.length}, true)`)
  }
  if (readOnly) configs.push("set_config('transaction_read_only', 'on', true)")
  return { sql: `select ${configs.join(', ')}`, parameters }
}

/** An organization named by a valid scope exists from its first write on (idempotent). */
export function provisionOrganization(orgId: string): Statement {
  return {
    sql: 'insert into organizations (id, name) values ($1, $1) on conflict (id) do nothing',
    parameters: [orgId],
  }
}
