/**
 * The documents schema's migrations, by name, in the order they apply. They
 * predate the package's `createTenancyTables`, so they create the tenancy
 * tables themselves; a schema started today would call it instead (see
 * `examples/projects`).
 */
import type { Migrations } from '@serverless-dal/repository'
import * as initialSchema from './0001-initial-schema.ts'
import * as rowLevelSecurity from './0002-row-level-security.ts'
import * as idempotencyKeys from './0003-idempotency-keys.ts'
import * as idempotencyResults from './0004-idempotency-results.ts'

export const documentsMigrations: Migrations = {
  '0001-initial-schema': initialSchema,
  '0002-row-level-security': rowLevelSecurity,
  '0003-idempotency-keys': idempotencyKeys,
  '0004-idempotency-results': idempotencyResults,
}
