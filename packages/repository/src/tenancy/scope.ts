/**
 * Who is asking: every repository is built for one organization and one role,
 * and refuses to exist without them.
 */
import { ForbiddenError, ValidationError } from '../errors.ts'

/** Organization ids are chosen by people, so the schema bounds their shape (`createTenancyTables` checks it too). */
export const ORGANIZATION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export const ROLES = ['viewer', 'editor', 'admin'] as const
export type Role = (typeof ROLES)[number]

export interface TenantScope {
  /** The organization every query is limited to (1–64 characters of `[A-Za-z0-9_-]`). */
  readonly orgId: string
  readonly role: Role
}

/** What a method needs: `viewer` reads, `editor` also creates and updates, `admin` also deletes. */
export type Permission = 'read' | 'write' | 'delete'

const ALLOWED: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  editor: new Set(['read', 'write']),
  admin: new Set(['read', 'write', 'delete']),
}

export function assertValidScope(scope: TenantScope): TenantScope {
  if (typeof scope?.orgId !== 'string' || !ORGANIZATION_ID_PATTERN.test(scope.orgId)) {
    throw new ValidationError('orgId must be 1–64 characters of A-Z, a-z, 0-9, _ or -')
  }
  if (!ROLES.includes(scope.role)) throw new ValidationError(`role must be one of ${ROLES.join(', ')}`)
  return Object.freeze({ orgId: scope.orgId, role: scope.role })
}

export function can(scope: TenantScope, permission: Permission): boolean {
  return ALLOWED[scope.role].has(permission)
}

export function assertCan(
  scope: TenantScope,
  permission: Permission,
  context: { repository: string; operation: string },
): void {
  if (!can(scope, permission)) {
    throw new ForbiddenError(`role ${scope.role} may not ${permission} ${context.repository}`, context)
  }
}
