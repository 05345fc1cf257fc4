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

/** The organization, the statement timeout and, with RLS, the role that policies bind: one statement. */
export function tenantSettings(scope: TenantScope, settings: SessionSettings): Statement {
  const sql = "select set_config($1, $2, true), set_config('statement_timeout', $3, true)"
  const parameters = [ORGANIZATION_SETTING, scope.orgId, String(settings.statementTimeoutMs)]
  if (!settings.rowLevelSecurity) return { sql, parameters }
  return { sql: `${sql}, set_config('role', $4, true)`, parameters: [...parameters, APP_ROLE] }
}

/** An organization named by a valid scope exists from its first write on (idempotent). */
export function provisionOrganization(orgId: string): Statement {
  return {
    sql: 'insert into organizations (id, name) values ($1, $1) on conflict (id) do nothing',
    parameters: [orgId],
  }
}
