/**
 * Where repositories come from. One factory per isolate (create it at module
 * scope: the isolate keeps it across requests) holds what may be shared —
 * configuration, the database lifetime (a pool per process on Lambda and
 * Node, none on Workers), the cursor key, the set of provisioned
 * organizations, the memory cache and the metrics — and hands each request a
 * scope of your repositories for one tenant, which the request disposes.
 *
 * ```ts
 * const database = databaseConfigFromEnv(env)
 * const factory = new RepositoryFactory({ database, drivers: [neonDrivers], repositories: { projects: Projects } })
 * await using repos = factory.forTenant({ orgId: 'acme', role: 'editor' })
 * await repos.projects.create({ name: 'Launch' })
 * ```
 */
import type { LogEvent } from 'kysely'
import { BackgroundWork } from '../background-work.ts'
import { CacheManager } from '../cache/cache-manager.ts'
import type { CacheOptions } from '../cache/config.ts'
import type { Consistency, WarmOutcome } from '../cache/port.ts'
import { parseToken } from '../consistency-token.ts'
import { type DatabaseConfig, DatabaseConfigError, type Runtime } from '../db/config.ts'
import type { DriverOptions } from '../db/drivers.ts'
import { type DatabaseLifetime, lifetimeForRuntime } from '../db/lifetime.ts'
import type { RoundTripObserver } from '../db/transport.ts'
import { jsonConsoleLogger, type Logger } from '../logger.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'
import { type MetricsOptions, RepositoryMetrics } from '../metrics/repository-metrics.ts'
import { CursorCodec } from '../repositories/cursor.ts'
import type { CursorSigner } from '../repositories/cursor-signer.ts'
import { ProvisionedOrganizations } from '../session/provisioned.ts'
import { DEFAULT_RETRY, type RetryPolicy } from '../session/retry.ts'
import type { SessionSettings } from '../session/settings.ts'
import { TenantSession } from '../session/tenant-session.ts'
import { assertValidScope, type TenantScope } from '../tenancy/scope.ts'
import { assertRepositoryNames, type RepositoryClasses, type RepositoryScope } from './repository-classes.ts'
import { TenantRepositories } from './tenant-repositories.ts'

export interface RepositoryFactoryConfig<DB, Classes extends RepositoryClasses<DB>> extends DriverOptions {
  /**
   * Where to connect, or a lifetime made with `lifetimeForRuntime` (to share
   * one database, such as an embedded PGlite, with code outside the factory;
   * `runtime` and `onQuery` then belong to that lifetime).
   */
  database: DatabaseConfig | DatabaseLifetime<DB>
  /**
   * Your repository classes, by the name each request scope exposes them
   * under; the schema (`DB`) is inferred from them.
   */
  repositories: Classes & RepositoryClasses<DB>
  /** Decides the database lifetime: a pool per request on Workers, per process elsewhere. @default 'node' */
  runtime?: Runtime
  /**
   * Postgres row-level security as a second wall behind the repositories' own
   * organization filter: every unit of work switches to the RLS-bound role in
   * its first round trip (no extra one). Off, the connection role must bypass
   * RLS. @default true
   */
  rowLevelSecurity?: boolean
  /** `statement_timeout` per transaction. @default 10_000 */
  statementTimeoutMs?: number
  /**
   * Signs pagination cursors; at least 16 characters, the same on every
   * isolate. @default a random key per isolate (cursors then fail across isolates)
   */
  cursorSecret?: string
  /** Signs cursors instead of Web Crypto with `cursorSecret`, e.g. `nodeHmacSigner(secret)` on Node and Lambda. */
  cursorSigner?: CursorSigner
  /** Retry of serialization failures and deadlocks. @default 4 attempts, 20–500 ms full jitter */
  retry?: Partial<RetryPolicy>
  /** @default one JSON line per event on the console */
  logger?: Logger
  /** Sees every statement Kysely runs, with its duration (tests count queries; metrics time them). */
  onQuery?: (event: LogEvent) => void
  /** Sees every round trip to the database, with the statements it carried. */
  onRoundTrip?: RoundTripObserver
  /**
   * The app opens interactive transactions (`repos.transaction`): refuse, here
   * and now, a driver that cannot hold one (`neon-http`), rather than fail
   * every request that tries. @default false
   */
  requireTransactions?: boolean
  /**
   * The cache: options for the isolate's `CacheManager` (memory tier on by
   * default; Redis when `redis` is given), or a manager to share. `false`: none.
   * @default a memory-only cache
   */
  cache?: CacheOptions | CacheManager | false
  /**
   * Metrics: options for the isolate's `RepositoryMetrics` (give a `sink`,
   * e.g. `new PowertoolsMetricsSink()`, to publish them), or one to share with
   * the entries. @default none published; slow queries are still logged
   */
  metrics?: MetricsOptions | RepositoryMetrics
}

export interface RequestOptions {
  /** The request's `ctx.waitUntil` on Workers: keeps the cache's background refreshes and stores alive. */
  waitUntil?: (work: Promise<unknown>) => void
  /**
   * The invocation this scope records into, flushed by the entry (one flush for
   * an invocation that serves several tenants). @default a fresh one, flushed by `dispose()`
   */
  metrics?: InvocationMetrics
  /** The warm job's scopes: cached reads refresh their entries and report each outcome here. */
  warming?: (outcome: WarmOutcome) => void
  /** A write's consistency token (`repos.consistencyToken`): no read of this scope answers older data. */
  consistencyToken?: string
  /** `strong` (not from this isolate's memory) or `fresh` (from the database) for every read of this scope. */
  consistency?: Consistency
  /**
   * Where this scope's operations log (slow queries, failures): the request's
   * logger, whose lines carry its ids. @default the factory's `logger`
   */
  logger?: Logger
}

export class RepositoryFactory<DB, Classes extends RepositoryClasses<DB>> {
  readonly #classes: Classes
  readonly #lifetime: DatabaseLifetime<DB>
  readonly #settings: SessionSettings
  readonly #cursors: CursorCodec
  readonly #provisioned = new ProvisionedOrganizations()
  readonly #cache: CacheManager | undefined
  readonly #metrics: RepositoryMetrics

  constructor(config: RepositoryFactoryConfig<DB, Classes>) {
    assertRepositoryNames(config.repositories, TenantRepositories.prototype)
    this.#classes = config.repositories
    const logger = config.logger ?? jsonConsoleLogger
    this.#settings = {
      rowLevelSecurity: config.rowLevelSecurity ?? true,
      statementTimeoutMs: config.statementTimeoutMs ?? 10_000,
      retry: { ...DEFAULT_RETRY, ...config.retry },
      logger,
    }
    let signer: CursorSigner | string | undefined = config.cursorSigner ?? config.cursorSecret
    if (!signer) {
      signer = crypto.randomUUID() + crypto.randomUUID()
      logger.warn('no cursor secret configured: cursors will not work across isolates', {})
    }
    this.#cursors = new CursorCodec(signer)
    this.#cache =
      config.cache === false
        ? undefined
        : config.cache instanceof CacheManager
          ? config.cache
          : new CacheManager({ logger, ...config.cache })
    this.#metrics =
      config.metrics instanceof RepositoryMetrics
        ? config.metrics
        : new RepositoryMetrics({ logger, ...config.metrics })
    if (this.#cache) this.#metrics.observeCache(this.#cache)
    this.#lifetime =
      'lease' in config.database
        ? config.database
        : lifetimeForRuntime<DB>(config.runtime ?? 'node', config.database, {
            onIdleConnectionError: (error) => logger.warn('idle database connection lost', { reason: error.message }),
            ...(config.onQuery && { log: config.onQuery }),
            ...(config.onRoundTrip && { onRoundTrip: config.onRoundTrip }),
            ...(config.pg && { pg: config.pg }),
            ...(config.drivers && { drivers: config.drivers }),
          })
    if (config.requireTransactions) this.#assertSessions()
  }

  #assertSessions(): void {
    const probe = this.#lifetime.lease() // no I/O: connections open on first use
    const { driver, supportsSessions } = probe.database
    void probe.release()
    if (!supportsSessions) {
      throw new DatabaseConfigError(
        `the ${driver} driver cannot hold interactive transactions, which this app needs (requireTransactions): ` +
          'use neon (HTTP batches, WebSockets for transactions), neon-pool or pg',
      )
    }
  }

  /**
   * A request scope: the repositories of one organization and role. It owns
   * a database lease by the runtime rule; call `dispose()` when the request ends.
   */
  forTenant(scope: TenantScope, options: RequestOptions = {}): RepositoryScope<DB, Classes> {
    const valid = assertValidScope(scope)
    const metrics = options.metrics ?? this.#metrics.startInvocation()
    metrics.attachOrganization(valid.orgId)
    const lease = this.#lifetime.lease()
    const cache = this.#cache?.enabled ? this.#cache : undefined
    const written = {} // the scope's last write mark: its sessions set it, the scope reads it
    const session = new TenantSession(lease.database.db, {
      scope: valid,
      settings: options.logger ? { ...this.#settings, logger: options.logger } : this.#settings,
      provisioned: this.#provisioned,
      written,
      metrics,
      ...(cache && { invalidate: (orgId: string, tags: readonly string[]) => cache.invalidate(orgId, tags) }),
    })
    const after = parseToken(options.consistencyToken, valid.orgId)
    const services = {
      written,
      cursors: this.#cursors,
      answers: [],
      metrics,
      background: new BackgroundWork(options.waitUntil),
      ...(this.#cache && { cache: this.#cache }),
      ...(options.warming && { warming: options.warming }),
      ...(after !== undefined && { after }),
      ...(options.consistency && { consistency: options.consistency }),
    }
    const end = async () => {
      await lease.release()
      // A scope that opened its own invocation publishes it; a shared one is the entry's to flush.
      if (!options.metrics) metrics.flush()
    }
    return TenantRepositories.open(session, services, this.#classes, end)
  }

  /** The isolate's metrics: entries start each invocation here (`factory.metrics.startInvocation()`). */
  get metrics(): RepositoryMetrics {
    return this.#metrics
  }

  /** The isolate's cache (for its stats, or to share with another factory); undefined when off. */
  get cache(): CacheManager | undefined {
    return this.#cache
  }

  /** Ends every database this factory still holds. */
  dispose(): Promise<void> {
    return this.#lifetime.dispose()
  }
}
