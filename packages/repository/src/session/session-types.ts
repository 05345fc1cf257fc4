/** What sessions, repositories and scopes say to each other about a unit of work. */
import type { Compilable, CompiledQuery, IsolationLevel } from 'kysely'
import type { WriteMark } from '../cache/port.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import type { Tag } from '../repositories/tags.ts'
import type { TenantScope } from '../tenancy/scope.ts'
import type { ProvisionedOrganizations } from './provisioned.ts'
import type { SessionSettings } from './settings.ts'

export interface TransactionOptions {
  /** Postgres isolation level of the outermost transaction; ignored for a nested one. */
  isolationLevel?: IsolationLevel
}

/** What a session and the sessions of its transactions share. */
export interface SessionContext {
  scope: TenantScope
  settings: SessionSettings
  provisioned: ProvisionedOrganizations
  /** The invocation's metrics: transaction durations, rollbacks and retries go here. */
  metrics: InvocationMetrics
  /** Makes cached entries of these tags obsolete; called once per committed unit. Answers its write mark. */
  invalidate?: (orgId: string, tags: readonly string[]) => Promise<WriteMark>
  /** The write mark of the last unit this scope committed (its consistency token). */
  written: { mark?: WriteMark }
}

/** One statement, built but not run: the session runs it exactly once. */
export type OneStatement = Compilable<unknown> | CompiledQuery<unknown>

/** What an operation's work may ask of the unit it runs in. */
export interface UnitHooks {
  /** Makes cached entries with these tags obsolete once the work has committed (never if it rolls back). */
  invalidate(tags: readonly Tag[]): void
}
