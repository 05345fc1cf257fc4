/**
 * The shared data-access package: tenant-scoped Kysely repositories, their
 * factory, transactions, errors, schema and migrations, and the database layer
 * over Neon (WebSocket pool or HTTP) and PGlite, the two-tier cache, and
 * metrics through a port (Powertools adapter: `./powertools`). Imports no runtime.
 */

export { BackgroundWork } from './background-work.ts'
export { type CachedRead, CacheManager, type ReadResult } from './cache/cache-manager.ts'
export type { CacheOptions, LockOptions, MemoryTierOptions } from './cache/config.ts'
export { DEFAULT_TTL_MS } from './cache/config.ts'
export type { HotKeyOptions, HotKeys, HotQuery } from './cache/hot-keys.ts'
export { entryKey, generationKey } from './cache/keys.ts'
export type { RedisLike } from './cache/redis-like.ts'
export type { CacheOutcome, CacheStatsSnapshot, CacheTier, TierCounters } from './cache/stats.ts'
export * from './db/config.ts'
export { DatabaseUnreachableError } from './db/connection-errors.ts'
export * from './db/create-database.ts'
export * from './db/lifetime.ts'
export type {
  RoundTripObserver,
  Session,
  Statement,
  StatementResult,
  Transport,
} from './db/transport.ts'
export { parseInt8, parseInt8Array } from './db/type-parsers.ts'
export { NestedTransactionError, TransactionsUnsupportedError } from './db/unit-connection.ts'
export * from './errors.ts'
export * from './factory/repository-factory.ts'
export * from './factory/tenant-repositories.ts'
export * from './logger.ts'
export { EMF_LIMITS, type EmfLimits, type EmfObject, emfObjects } from './metrics/emf-limits.ts'
export { instrument, type Measurable, measure } from './metrics/instrument.ts'
export type { Dimensions, InvocationMetrics } from './metrics/invocation-metrics.ts'
export { DEFAULT_SLOW_QUERY_MS, type MetricsOptions, RepositoryMetrics } from './metrics/repository-metrics.ts'
export type * from './metrics/sink.ts'
export * from './migrations/index.ts'
export {
  type AnyChain,
  type AnyDb,
  type AnySelect,
  BaseRepository,
  type ReadOptions,
  type RepositoryContext,
  type UpdateOptions,
  type WarmOutcome,
} from './repositories/base-repository.ts'
export { type CursorSigner, webCryptoSigner } from './repositories/cursor-signer.ts'
export type { ListOptions, Page, RepositoryDefinition, SortSpec } from './repositories/definition.ts'
export * from './repositories/document-repository.ts'
export type { FilterSpecs, RangeFilter, SearchFilter } from './repositories/filters.ts'
export {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyRequest,
  purgeExpiredIdempotencyKeys,
} from './repositories/idempotency.ts'
export { ReadRepository } from './repositories/read-repository.ts'
export * from './repositories/summary-repository.ts'
export * from './repositories/topic-repository.ts'
export * from './schema/database.ts'
export type * from './schema/rows.ts'
export type { RetryPolicy } from './session/retry.ts'
export type { OneStatement, TransactionOptions, UnitHooks } from './session/tenant-session.ts'
export type { AfterCommitAction } from './session/transaction-frame.ts'
export { APP_ROLE, ORGANIZATION_SETTING } from './tenancy/row-level-security.ts'
export { ROLES, type Role, type TenantScope } from './tenancy/scope.ts'
export { runWarmJob, type WarmOptions, type WarmReport } from './warm/warm-job.ts'
export { DEFAULT_WARMERS, latestPublished, topicFirstPages, type Warmer } from './warm/warmers.ts'
