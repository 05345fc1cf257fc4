/**
 * The shared data-access package, generic over your Kysely schema:
 * tenant-scoped repositories and their factory, cached reads declared as data,
 * transactions, errors, migrations and the tenancy tables they need, the
 * database layer, the two-tier cache, the warm job, and metrics through a
 * port. Imports no runtime and no driver: those are subpath entries, so a
 * bundle holds only what its entry names — `./neon` (Neon over HTTP and
 * WebSockets), `./pglite` (the embedded default), `./powertools` (the metrics
 * adapter), `./powertools/logger` (the logging adapter for Lambda), `./node`
 * (Node-only helpers); node-postgres is passed in (`{ pg }`).
 */

export { BackgroundWork } from './background-work.ts'
export { BoundedLru, type BoundedLruOptions } from './cache/bounded-lru.ts'
export { CacheManager } from './cache/cache-manager.ts'
export type { CacheOptions, LockOptions, MemoryTierOptions } from './cache/config.ts'
export type { HotKeyOptions, HotKeys, HotQuery } from './cache/hot-keys.ts'
export { entryKey, generationKey } from './cache/keys.ts'
export { lazyRedis, type ScriptingRedis } from './cache/lazy-redis.ts'
export type {
  CacheAnswer,
  CachedRead,
  Consistency,
  ReadCache,
  ReadResult,
  WarmOutcome,
  WriteMark,
} from './cache/port.ts'
export type { RedisLike } from './cache/redis-like.ts'
export { KEY_LOCKING, RedisScripts, type ScriptClient } from './cache/redis-scripts.ts'
export type { CacheOutcome, CacheStatsSnapshot, CacheTier, TierCounters } from './cache/stats.ts'
export * from './db/config.ts'
export { DatabaseUnreachableError } from './db/connection-errors.ts'
export * from './db/create-database.ts'
export type { DatabaseDrivers, DriverOptions, OpenTransport, PgModule, TransportOptions } from './db/drivers.ts'
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
export type { RecordedRead, RepositoryClass, RepositoryClasses, RepositoryScope } from './factory/repository-classes.ts'
export * from './factory/repository-factory.ts'
export type { TenantRepositories } from './factory/tenant-repositories.ts'
export * from './logger.ts'
export {
  consoleLines,
  consoleObjects,
  JsonLogger,
  type JsonLoggerOptions,
  type LineLevel,
  type LogWriter,
} from './logging/json-logger.ts'
export { LOG_LEVEL_RANKS, LOG_LEVELS, type LogLevel, parseLogLevel } from './logging/levels.ts'
export { EMF_LIMITS, type EmfLimits, type EmfObject, emfObjects } from './metrics/emf-limits.ts'
export { EmfMetricsSink, type EmfSinkOptions } from './metrics/emf-sink.ts'
export { instrument, type Measurable, measure } from './metrics/instrument.ts'
export type { Dimensions, InvocationMetrics } from './metrics/invocation-metrics.ts'
export { DEFAULT_SLOW_QUERY_MS, type MetricsOptions, RepositoryMetrics } from './metrics/repository-metrics.ts'
export type * from './metrics/sink.ts'
export * from './migrations/index.ts'
export { BaseRepository, type UpdateOptions, type WriteAction } from './repositories/base-repository.ts'
export type { CursorCodec, CursorPosition, CursorQuery } from './repositories/cursor.ts'
export { type CursorSigner, webCryptoSigner } from './repositories/cursor-signer.ts'
export { canonicalInclude, type DeclaredRead, type ReadDeclaration } from './repositories/declared-reads.ts'
export {
  type CallOptions,
  type Column,
  DEFAULT_LIMIT,
  defineRepository,
  type ListOptions,
  MAX_BATCH,
  MAX_LIMIT,
  type Page,
  pageOf,
  type RepositoryDefinition,
  type SortSpec,
  type TenantRow,
  type TenantTable,
} from './repositories/definition.ts'
export type {
  ColumnFilterSpec,
  CustomFilterSpec,
  FilterSpecs,
  RangeFilter,
  SearchFilter,
} from './repositories/filters.ts'
export {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyRequest,
  type PurgeResult,
  purgeExpiredIdempotencyKeys,
} from './repositories/idempotency.ts'
export { type BudgetedRows, DEFAULT_MAX_PAGE_BYTES, withinByteBudget } from './repositories/page-budget.ts'
export { type ReadOptions, ReadRepository } from './repositories/read-repository.ts'
export type { RepositoryContext } from './repositories/repository-context.ts'
export {
  type TableChain,
  type TableDb,
  type TableSchema,
  type TableSelect,
  type TenantTableColumns,
  tableDb,
} from './repositories/table-db.ts'
export { type TableTags, type Tag, tableTags, tagsOf } from './repositories/tags.ts'
export type { ExtraColumns } from './repositories/write-statements.ts'
export type { RetryPolicy } from './session/retry.ts'
export type { OneStatement, TransactionOptions, UnitHooks } from './session/session-types.ts'
export type { TenantSession } from './session/tenant-session.ts'
export type { AfterCommitAction } from './session/transaction-frame.ts'
export { APP_ROLE, ORGANIZATION_SETTING } from './tenancy/row-level-security.ts'
export { ORGANIZATION_ID_PATTERN, ROLES, type Role, type TenantScope } from './tenancy/scope.ts'
export { createAppRole, createTenancyTables, isolateTenantTable, type TenancyTables } from './tenancy/tenancy-schema.ts'
export { runWarmJob, type Warmer, type WarmOptions, type WarmReport } from './warm/warm-job.ts'
