/**
 * Metrics end to end: repositories on Postgres (through the Neon driver) and
 * the cache on Redis (through the Upstash bridge) record into an invocation,
 * Powertools writes the EMF lines, and every line is checked against the EMF
 * specification.
 */
import type { DB, Document, DocumentsFactory, DocumentsScope } from '@serverless-dal/documents'
import {
  BaseRepository,
  instrument,
  type Logger,
  type RepositoryContext,
  RepositoryMetrics,
} from '@serverless-dal/repository'
import { PowertoolsMetricsSink } from '@serverless-dal/repository/powertools'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CacheFixture, cacheFixture, type Fault, faultyRedis, PATIENT } from '../../support/cache-fixtures.ts'
import { captureStdoutEmf, type EmfDocument, metricSamples, metricTotal } from '../../support/emf.ts'
import { orgId } from '../../support/repository-backends.ts'

const NAMESPACE = 'ServerlessDalTest'

/** A repository of the test's own: one line (`instrument`) gives its method metrics. */
class Sleeper extends BaseRepository<DB, 'documents', Document, never> {
  constructor(context: RepositoryContext<DB>) {
    super(context, {
      name: 'sleeper',
      table: 'documents',
      writable: [],
      filters: {},
      sorts: { newest: { column: 'createdAt', direction: 'desc' } },
      defaultSort: 'newest',
    })
  }

  sleep(seconds: number): Promise<void> {
    return this.operate('sleep', 'read', async (db) => {
      await sql`select pg_sleep(${seconds})`.execute(db)
    })
  }
}
instrument(Sleeper, ['sleep'])

const warnings: Array<Record<string, unknown>> = []
const recordingLogger: Logger = {
  warn: (message, context) => warnings.push({ message, ...context }),
  error: (message, context) => warnings.push({ message, ...context }),
}

let fx: CacheFixture
let metrics: RepositoryMetrics
let factory: DocumentsFactory
let capture: ReturnType<typeof captureStdoutEmf>

function newMetrics() {
  return new RepositoryMetrics({
    sink: new PowertoolsMetricsSink({ namespace: NAMESPACE, serviceName: 'documents-test' }),
    slowQueryMsByOperation: { 'sleeper.sleep': 150 },
    logger: recordingLogger,
  })
}

beforeAll(async () => {
  fx = await cacheFixture()
  metrics = newMetrics()
  factory = fx.backend.factory({
    cache: { redis: fx.client(), ...PATIENT },
    metrics,
    logger: recordingLogger,
    statementTimeoutMs: 600,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  })
  // The isolate's first flush carries the cold start; take it here so each test sees its own invocation only.
  const coldStart = captureStdoutEmf()
  metrics.startInvocation().flush()
  coldStart.stop()
  expect(metricTotal(coldStart.documents(), 'ColdStart')).toBe(1)
})
afterAll(() => fx?.close())
afterEach(() => {
  capture?.stop()
  warnings.length = 0
})

/** Runs `work` as one invocation for one tenant and returns the EMF documents its flush wrote. */
async function invocation(
  org: string,
  work: (repos: DocumentsScope) => Promise<unknown>,
  metadata: Record<string, string> = {},
): Promise<EmfDocument[]> {
  const current = metrics.startInvocation(metadata)
  const repos = factory.forTenant({ orgId: org, role: 'admin' }, { metrics: current })
  capture = captureStdoutEmf()
  try {
    await work(repos).catch(() => {}) // failures are part of what is measured
  } finally {
    await repos.dispose()
    current.flush()
    capture.stop()
  }
  return capture.documents()
}

const byId = { repository: 'documents', operation: 'findById' }

describe('EMF lines for repository operations', () => {
  it('a cache miss: the operation, its duration, and misses in both tiers', async () => {
    const org = orgId('emf-miss')
    let id = 0
    await invocation(org, async (repos) => {
      id = (await repos.documents.create({ title: 'measured' })).id
    })
    const documents = await invocation(org, (repos) => repos.documents.findById(id), { requestId: 'req-miss' })

    expect(documents.length).toBeGreaterThan(0)
    for (const document of documents) {
      expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe(NAMESPACE)
      expect(document.service).toBe('documents-test')
      expect(document.requestId).toBe('req-miss')
      expect(document.organizationId).toBe(org)
    }
    expect(metricTotal(documents, 'OperationCount', byId)).toBe(1)
    expect(metricSamples(documents, 'OperationDuration', byId)).toHaveLength(1)
    expect(metricTotal(documents, 'CacheMemoryMiss', byId)).toBe(1)
    expect(metricTotal(documents, 'CacheRedisMiss', byId)).toBe(1)
    expect(metricTotal(documents, 'CacheMemoryHit') + metricTotal(documents, 'CacheRedisHit')).toBe(0)
    expect(metricTotal(documents, 'OperationErrors')).toBe(0)
    // The operation and its cache counts share one line.
    const lines = documents.filter((d) => d.operation === 'findById')
    expect(lines).toHaveLength(1)
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'repository', 'operation']])
  })

  it('a cache hit: counted under its tier and query, with no miss', async () => {
    const org = orgId('emf-hit')
    let id = 0
    await invocation(org, async (repos) => {
      id = (await repos.documents.create({ title: 'hit me' })).id
      await repos.documents.findById(id)
    })
    const documents = await invocation(org, (repos) => repos.documents.findById(id))

    expect(metricTotal(documents, 'CacheMemoryHit', byId)).toBe(1)
    expect(metricTotal(documents, 'CacheMemoryMiss') + metricTotal(documents, 'CacheRedisMiss')).toBe(0)
    expect(metricTotal(documents, 'OperationCount', byId)).toBe(1)
    const line = documents.find((d) => d.CacheMemoryHit !== undefined)
    expect(line?._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name).sort()).toEqual([
      'CacheMemoryHit',
      'OperationCount',
      'OperationDuration',
    ])
  })

  it('a failing operation: counted, timed, and its error class named', async () => {
    const documents = await invocation(orgId('emf-fail'), (repos) => repos.documents.findById(987_654_321))

    expect(metricTotal(documents, 'OperationCount', byId)).toBe(1)
    expect(metricTotal(documents, 'OperationErrors', byId)).toBe(1)
    expect(metricTotal(documents, 'OperationErrors.NotFoundError', byId)).toBe(1)
    expect(metricSamples(documents, 'OperationDuration', byId)).toHaveLength(1)
  })

  it('a slow statement past a lowered threshold: SlowQuery and one warning with the shape, no values', async () => {
    const documents = await invocation(orgId('emf-slow'), async (repos) => {
      const sleeper = repos.custom(Sleeper)
      await sleeper.sleep(0) // fast: not counted
      await sleeper.sleep(0.3)
    })

    const sleep = { repository: 'sleeper', operation: 'sleep' }
    expect(metricTotal(documents, 'SlowQuery', sleep)).toBe(1)
    expect(metricTotal(documents, 'OperationCount', sleep)).toBe(2)
    const slow = warnings.filter((w) => w.message === 'slow query')
    expect(slow).toHaveLength(1)
    expect(slow[0]).toMatchObject({ repository: 'sleeper', operation: 'sleep', thresholdMs: 150 })
    expect(slow[0]?.durationMs).toBeGreaterThanOrEqual(300)
    expect(slow[0]?.statement).toBe('select pg_sleep($1)')
    expect(JSON.stringify(slow[0])).not.toContain('0.3')
  })

  it('a statement cancelled by statement_timeout is still reported as slow', async () => {
    const documents = await invocation(orgId('emf-timeout'), (repos) => repos.custom(Sleeper).sleep(5))

    const sleep = { repository: 'sleeper', operation: 'sleep' }
    expect(metricTotal(documents, 'SlowQuery', sleep)).toBe(1)
    expect(metricTotal(documents, 'OperationErrors.TransientError', sleep)).toBe(1)
    expect(warnings.filter((w) => w.message === 'slow query')).toHaveLength(1)
  })

  it('every write of the documents repository is measured once, those it overrides too', async () => {
    const documents = await invocation(orgId('emf-writes'), async (repos) => {
      const doc = await repos.documents.create({ title: 'v1', topicIds: [] })
      await repos.documents.update(doc.id, { title: 'v2' }, { topicIds: [] })
      await repos.documents.setTopics(doc.id, [])
      await repos.documents.delete(doc.id)
    })
    for (const operation of ['create', 'update', 'setTopics', 'delete']) {
      expect(metricTotal(documents, 'OperationCount', { repository: 'documents', operation }), operation).toBe(1)
    }
  })

  it('a transaction that retries: duration once, the rollback, the retry', async () => {
    let attempts = 0
    const documents = await invocation(orgId('emf-retry'), (repos) =>
      repos.transaction(async (tx) => {
        attempts += 1
        await tx.documents.create({ title: `attempt ${attempts}` })
        if (attempts === 1) {
          await sql`do $$ begin raise exception 'conflict' using errcode = 'serialization_failure'; end $$`.execute(
            tx.db,
          )
        }
        // a failed savepoint inside the retried transaction: rolled back, the outer one goes on
        await tx.transaction((inner) => inner.documents.create({ title: '' })).catch(() => {})
      }),
    )

    expect(attempts).toBe(2)
    expect(metricTotal(documents, 'TransactionRetry')).toBe(1)
    expect(metricTotal(documents, 'TransactionRollback')).toBe(1)
    expect(metricTotal(documents, 'SavepointRollback')).toBe(1)
    expect(metricSamples(documents, 'TransactionDuration')).toHaveLength(1)
    expect(metricTotal(documents, 'OperationCount', { repository: 'documents', operation: 'create' })).toBe(3)
  })
})

describe('cache dependency metrics', () => {
  it('counts Redis errors and the breaker opening', async () => {
    const fault = { current: 'error' as Fault, calls: 0 }
    const isolated = newMetrics()
    const faulty = fx.backend.factory({
      cache: { redis: faultyRedis(fx.client(), fault), memory: false, breaker: { failureThreshold: 2 } },
      metrics: isolated,
      logger: recordingLogger,
    })
    const current = isolated.startInvocation()
    const repos = faulty.forTenant({ orgId: orgId('emf-breaker'), role: 'admin' }, { metrics: current })
    const doc = await repos.documents.create({ title: 'breaker' })
    for (let i = 0; i < 3; i++) await repos.documents.findById(doc.id)
    await repos.dispose()
    capture = captureStdoutEmf()
    current.flush()
    capture.stop()
    const documents = capture.documents()

    expect(metricTotal(documents, 'CacheRedisError')).toBeGreaterThanOrEqual(2)
    expect(metricTotal(documents, 'CacheBreakerOpened')).toBe(1)
    expect(metricTotal(documents, 'ColdStart')).toBe(1)
    expect(metricTotal(documents, 'OperationCount', byId)).toBe(3)
  })
})

describe('EMF limits and tenancy', () => {
  it('150 distinct metrics in one invocation come out as two or more valid lines', () => {
    const current = metrics.startInvocation()
    for (let i = 0; i < 150; i++) current.count(`Distinct${i}`, { repository: 'bulk', operation: 'many' })
    for (let i = 0; i < 250; i++) current.duration('ManySamples', { repository: 'bulk', operation: 'many' }, i)
    capture = captureStdoutEmf()
    current.flush()
    capture.stop()
    const documents = capture.documents()

    expect(documents.length).toBeGreaterThanOrEqual(2)
    const names = new Set(
      documents.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((c) => c.Metrics.map((m) => m.Name))),
    )
    for (let i = 0; i < 150; i++) expect(names.has(`Distinct${i}`)).toBe(true)
    expect(metricTotal(documents, 'Distinct149', { repository: 'bulk' })).toBe(1)
    expect(metricSamples(documents, 'ManySamples').sort((a, b) => a - b)).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    )
  })

  it('names tenants only as metadata, never in a dimension', async () => {
    const first = orgId('emf-tenant-a')
    const second = orgId('emf-tenant-b')
    const current = metrics.startInvocation()
    for (const org of [first, second]) {
      const repos = factory.forTenant({ orgId: org, role: 'admin' }, { metrics: current })
      const doc = await repos.documents.create({ title: org })
      await repos.documents.findById(doc.id)
      await repos.dispose()
    }
    capture = captureStdoutEmf()
    current.flush()
    capture.stop()
    const documents = capture.documents()

    expect(documents.length).toBeGreaterThan(0)
    for (const document of documents) {
      expect(document.organizationIds).toBe(`${first},${second}`)
      for (const directive of document._aws.CloudWatchMetrics) {
        for (const set of directive.Dimensions) {
          expect(set).not.toContain('organizationIds')
          for (const name of set) expect([first, second]).not.toContain(document[name])
        }
      }
    }
  })
})
