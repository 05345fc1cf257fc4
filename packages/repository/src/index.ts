/**
 * The shared data-access package: tenant-scoped Kysely repositories, their
 * factory, transactions, errors, schema and migrations, and the database layer
 * over Neon (WebSocket pool or HTTP) and PGlite. Imports no runtime.
 */
export * from './db/config.ts'
export * from './db/create-database.ts'
export * from './db/lifetime.ts'
export { TransactionsUnsupportedError } from './db/neon-http-dialect.ts'
export { parseInt8, parseInt8Array } from './db/type-parsers.ts'
export * from './errors.ts'
export * from './factory/repository-factory.ts'
export * from './factory/tenant-repositories.ts'
export * from './logger.ts'
export * from './migrations/index.ts'
export type { ReadOptions, UpdateOptions } from './repositories/base-repository.ts'
export { type CursorSigner, webCryptoSigner } from './repositories/cursor-signer.ts'
export type { ListOptions, Page } from './repositories/definition.ts'
export * from './repositories/document-repository.ts'
export type { RangeFilter, SearchFilter } from './repositories/filters.ts'
export * from './repositories/summary-repository.ts'
export * from './repositories/topic-repository.ts'
export * from './schema/database.ts'
export type * from './schema/rows.ts'
export type { RetryPolicy } from './session/retry.ts'
export type { TransactionOptions } from './session/tenant-session.ts'
export type { AfterCommitAction } from './session/transaction-frame.ts'
export { APP_ROLE, ORGANIZATION_SETTING } from './tenancy/row-level-security.ts'
export { ROLES, type Role, type TenantScope } from './tenancy/scope.ts'
