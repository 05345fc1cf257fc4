/**
 * Leases across real isolates (issue 19): each isolate is a Node process of
 * its own (test/support/lease-child.ts) with its own documents factory and
 * the default cache (memory tier, Redis through the Upstash bridge, leases
 * on). Postgres is reached through the Neon stand-in, under which a proxy
 * counts every statement at the wire (test/support/pg-statement-counter.ts),
 * whatever process sent it.
 *
 * - 4 processes × 250 concurrent first reads of one new document, started
 *   at the same moment: one database query in all; the waiters' latency.
 * - A lease holder killed (SIGKILL) after its load, before its store: the
 *   others, reading meanwhile, all answer once its lease expires, and the
 *   key is read at most twice (the dead holder's load and one takeover).
 *
 * In-process isolates (factories): test/integration/cache/leases.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createDocumentsFactory, type DocumentsFactory, documentsMigrations } from '@serverless-dal/documents'
import {
  type NeonStandIn,
  startNeonStandIn,
  startUpstashBridge,
  type UpstashBridge,
} from '@serverless-dal/local-services'
import { type DatabaseLifetime, migrateToLatest, perProcessLifetime, silentLogger } from '@serverless-dal/repository'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SOURCE_CONDITION_FLAG } from '../../infra/build/conditions.ts'
import { allDrivers } from '../support/drivers.ts'
import type { ChildMessage } from '../support/lease-child.ts'
import { type StatementCounter, startStatementCounter } from '../support/pg-statement-counter.ts'
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../support/postgres.ts'
import { repoRoot } from '../support/processes.ts'
import { testRedisUrl } from '../support/redis.ts'
import { figure } from '../support/reliability-stack.ts'

const PROCESSES = 4
const READS = 250
const DEFAULT_LEASE_TTL_MS = 2_000 // the cache's default `lock.ttlMs`
const KILL_TTL_MS = 1_000

const namespace = `rel-lease-${Math.random().toString(36).slice(2, 10)}`
const org = `rel-lease-${Math.random().toString(36).slice(2, 8)}`

let scratch: ScratchDatabase
let counter: StatementCounter
let neon: NeonStandIn
let bridge: UpstashBridge
let lifetime: DatabaseLifetime
let factory: DocumentsFactory
/** The children's connection string: the scratch database, through the counter. */
let childDatabaseUrl: string
const children = new Set<ChildProcess>()

beforeAll(async () => {
  scratch = await createScratchDatabase('rel_leases')
  const server = new URL(testDatabaseUrl())
  counter = await startStatementCounter({ host: server.hostname, port: Number(server.port || 5432) })
  const through = new URL(scratch.url)
  through.hostname = '127.0.0.1'
  through.port = String(counter.port)
  childDatabaseUrl = through.href
  neon = await startNeonStandIn({ upstreamUrl: childDatabaseUrl })
  bridge = await startUpstashBridge({ redisUrl: testRedisUrl(), token: 'rel-leases-token' })
  lifetime = perProcessLifetime({ driver: 'pg', connectionString: scratch.url }, allDrivers)
  await migrateToLatest(lifetime.lease().database.db, documentsMigrations)
  factory = createDocumentsFactory({ database: lifetime, ...allDrivers, logger: silentLogger, cache: false })
})

afterAll(async () => {
  await Promise.all([...children].map((child) => stopChild(child)))
  await factory?.dispose()
  await neon?.close()
  await bridge?.close()
  await counter?.close()
  await scratch?.drop()
})

/** A new document of the test's organization, written beside the children (no cache). */
async function newDocument(title: string): Promise<number> {
  const scope = factory.forTenant({ orgId: org, role: 'admin' })
  try {
    return (await scope.documents.create({ title })).id
  } finally {
    await scope.dispose()
  }
}

interface Child {
  process: ChildProcess
  /** The next message of `type` (rejects if the process exits first). */
  next<T extends ChildMessage['type']>(type: T, timeoutMs?: number): Promise<Extract<ChildMessage, { type: T }>>
  read(id: number, count: number, at: number): void
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stderr(): string
}

/** Starts one isolate and waits until it has warmed up on a document of its own. */
async function startChild(env: Record<string, string>): Promise<Child> {
  const warmup = await newDocument('warm-up')
  const child = spawn(process.execPath, [SOURCE_CONDITION_FLAG, '--import', 'tsx', 'test/support/lease-child.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LEASE_DATABASE_URL: childDatabaseUrl,
      LEASE_WS_PROXY: neon.webSocketUrl,
      LEASE_REDIS_URL: bridge.url,
      LEASE_REDIS_TOKEN: bridge.token,
      LEASE_NAMESPACE: namespace,
      LEASE_ORG: org,
      LEASE_WARMUP_ID: String(warmup),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  children.add(child)
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  child.stdout?.resume()
  const inbox: ChildMessage[] = []
  const listeners = new Set<() => void>()
  child.on('message', (message: ChildMessage) => {
    inbox.push(message)
    for (const listener of listeners) listener()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
      for (const listener of listeners) listener()
    }),
  )
  const next: Child['next'] = (type, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const failed = inbox.find((m) => m.type === 'failed')
        if (failed && failed.type === 'failed') return finish(new Error(`lease child failed: ${failed.error}`))
        const index = inbox.findIndex((m) => m.type === type)
        if (index >= 0) return finish(undefined, inbox.splice(index, 1)[0])
        if (child.exitCode !== null || child.signalCode !== null)
          finish(new Error(`lease child exited (${child.exitCode ?? child.signalCode}) before '${type}'.\n${stderr}`))
      }
      const timer = setTimeout(
        () => finish(new Error(`no '${type}' from a lease child in ${timeoutMs} ms.\n${stderr}`)),
        timeoutMs,
      )
      const finish = (error?: Error, message?: ChildMessage) => {
        clearTimeout(timer)
        listeners.delete(check)
        if (error) reject(error)
        else resolve(message as never)
      }
      listeners.add(check)
      check()
    })
  const started: Child = {
    process: child,
    next,
    read: (id, count, at) => child.send({ type: 'read', id, count, at }),
    exited,
    stderr: () => stderr,
  }
  await next('ready', 30_000)
  return started
}

/** Ends a child: it disposes its factory and exits when its channel closes; killed if it does not. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  if (child.connected) child.disconnect()
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
}

/** Statements that read this document (its id among the parameters), at the wire. */
const documentReadsAtWire = (id: number) =>
  counter.executed.filter(
    (s) => /^\s*select/i.test(s.sql) && s.sql.includes('"documents"') && s.params.includes(String(id)),
  )

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number

describe('leases across processes', () => {
  it(`${PROCESSES} processes × ${READS} concurrent first reads of one document: one database query`, async () => {
    const isolates = await Promise.all(Array.from({ length: PROCESSES }, () => startChild({})))
    // the counter sees them: each warm-up read reached Postgres through it
    expect(counter.unreadable).toEqual([])
    expect(counter.executed.filter((s) => s.sql.includes('"documents"')).length).toBeGreaterThanOrEqual(PROCESSES)

    const id = await newDocument('read by all')
    counter.clear()
    const at = Date.now() + 150 // every process starts its reads at this moment
    for (const isolate of isolates) isolate.read(id, READS, at)
    const done = await Promise.all(isolates.map((isolate) => isolate.next('done')))

    const queries = documentReadsAtWire(id)
    const holders = done.filter((d) => d.documentSelects > 0)
    const waiters = done.filter((d) => d.documentSelects === 0)
    const latencies = waiters.flatMap((d) => d.latenciesMs).sort((a, b) => a - b)
    const holderLatencies = holders.flatMap((d) => d.latenciesMs).sort((a, b) => a - b)
    const outcomes = new Map<string, number>()
    for (const outcome of done.flatMap((d) => d.outcomes)) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    figure('leases, 4 processes × 250 first reads', {
      reads: PROCESSES * READS,
      databaseQueries: queries.length,
      startSpreadMs: Math.max(...done.map((d) => d.startedAt)) - Math.min(...done.map((d) => d.startedAt)),
      waiterP50ms: percentile(latencies, 0.5).toFixed(1),
      waiterP99ms: percentile(latencies, 0.99).toFixed(1),
      holderP99ms: holderLatencies.length > 0 ? percentile(holderLatencies, 0.99).toFixed(1) : '-',
      leaseTtlMs: DEFAULT_LEASE_TTL_MS,
      outcomes: [...outcomes].map(([outcome, count]) => `${outcome}:${count}`).join(' '),
    })

    expect(done.flatMap((d) => d.errors)).toEqual([])
    expect(done.flatMap((d) => d.titles).every((title) => title === 'read by all')).toBe(true)
    expect(queries).toHaveLength(1) // counted at the wire, over all processes
    expect(holders.map((d) => d.documentSelects)).toEqual([1]) // …by one of them, the lease's holder
    expect(waiters).toHaveLength(PROCESSES - 1)
    expect(percentile(latencies, 0.99)).toBeLessThan(DEFAULT_LEASE_TTL_MS)
    await Promise.all(isolates.map((isolate) => stopChild(isolate.process)))
  })

  it('a holder killed between its load and its store: the others answer once its lease expires', async () => {
    const env = { LEASE_TTL_MS: String(KILL_TTL_MS) }
    const [holder, ...others] = await Promise.all([
      startChild({ ...env, LEASE_HOLD: '1' }),
      ...Array.from({ length: PROCESSES - 1 }, () => startChild(env)),
    ])
    if (!holder) throw new Error('no holder')
    const id = await newDocument('orphaned')
    const redis = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false, retry: false })
    counter.clear()

    const takenFrom = Date.now() // the holder's lookup, which takes the lease, starts after this
    holder.read(id, 1, takenFrom)
    const paused = await holder.next('paused', 10_000)
    const leases = await redis.keys(`${namespace}:*:lock`)
    expect(leases.filter((key) => key.includes(`"id":${id}}`))).toHaveLength(1) // it holds the key's lease…
    expect(documentReadsAtWire(id)).toHaveLength(1) // …and has loaded

    for (const other of others) other.read(id, READS, Date.now())
    await new Promise((resolve) => setTimeout(resolve, 100)) // they are waiting for its entry…
    holder.process.kill('SIGKILL') // …which it never stores
    const killedAt = Date.now()
    expect((await holder.exited).signal).toBe('SIGKILL')

    const done = await Promise.all(others.map((other) => other.next('done', 10_000)))
    const answeredBy = Math.max(...done.map((d) => d.endedAt))
    const queries = documentReadsAtWire(id)
    const takeover = queries[1]
    figure('leases, holder killed mid-load', {
      leaseTtlMs: KILL_TTL_MS,
      pausedAfterMs: paused.at - takenFrom,
      killedAfterMs: killedAt - takenFrom,
      takeoverLoadAfterMs: takeover ? takeover.at - takenFrom : '-',
      allAnsweredAfterMs: answeredBy - takenFrom,
      waitersStartedAfterMs: Math.min(...done.map((d) => d.startedAt)) - takenFrom,
      databaseQueries: queries.length,
      queriesAtMs: queries.map((q) => q.at - takenFrom).join(' '),
      reads: others.length * READS,
    })

    expect(done.flatMap((d) => d.errors)).toEqual([])
    expect(done.flatMap((d) => d.titles).every((title) => title === 'orphaned')).toBe(true)
    expect(answeredBy - takenFrom).toBeLessThan(KILL_TTL_MS + 1_500)
    // the dead holder's load, and one takeover; more means waiters gave up and loaded without the lease
    expect(
      queries.length,
      `document reads at the wire, ms after the lease: ${queries.map((q) => q.at - takenFrom)}`,
    ).toBeLessThanOrEqual(2)
    expect(done.reduce((sum, d) => sum + d.documentSelects, 0)).toBe(queries.length - 1)
    await Promise.all(others.map((other) => stopChild(other.process)))
  })
})
