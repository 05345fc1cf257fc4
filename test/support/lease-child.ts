/**
 * One isolate of test/reliability/leases.test.ts, as a process of its own:
 * its own documents factory over Postgres (the Neon driver through the
 * stand-in) with the default cache (memory tier, Redis through the Upstash
 * bridge, leases on). Driven over IPC:
 *
 * - it warms up (a read of another document: modules, pool, scripts), then
 *   sends `{ type: 'ready' }`;
 * - `{ type: 'read', id, count, at }`: at `at` (Date.now()), `count`
 *   concurrent `findById(id)`, each in its own request scope; answers
 *   `{ type: 'done', … }` with each read's latency and outcome, and the
 *   document SELECTs this process ran.
 *
 * With LEASE_HOLD=1 the read's holder stops in `hooks.beforeStore` (loaded,
 * holding the lease, not stored), sends `{ type: 'paused', key, at }` and
 * never goes on: the test kills it there.
 */
import { createDocumentsFactory } from '@serverless-dal/documents'
import { silentLogger } from '@serverless-dal/repository'
import { Redis } from '@upstash/redis'
import { allDrivers } from './drivers.ts'

interface ReadCommand {
  type: 'read'
  id: number
  count: number
  at: number
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'paused'; key: string; at: number }
  | {
      type: 'done'
      /** Date.now() as the reads started. */
      startedAt: number
      /** Date.now() as the last one answered. */
      endedAt: number
      latenciesMs: number[]
      outcomes: string[]
      titles: string[]
      errors: string[]
      /** SELECTs of documents this process ran during the reads. */
      documentSelects: number
    }
  | { type: 'failed'; error: string }

const need = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`lease-child: ${name} is not set`)
  return value
}

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error('lease-child: start it with an IPC channel')
    process.send(message, () => resolve())
  })

const org = need('LEASE_ORG')
const hold = process.env.LEASE_HOLD === '1'
const ttlMs = process.env.LEASE_TTL_MS ? Number(process.env.LEASE_TTL_MS) : undefined
let armed = false
let documentSelects = 0

const factory = createDocumentsFactory({
  database: {
    driver: 'neon-pool',
    connectionString: need('LEASE_DATABASE_URL'),
    proxy: { webSocketUrl: need('LEASE_WS_PROXY') },
  },
  ...allDrivers,
  cursorSecret: 'lease-child-cursor-secret',
  logger: silentLogger,
  onQuery: (event) => {
    const text = event.query.sql
    if (armed && /^select/i.test(text.trim()) && text.includes('"documents"')) documentSelects += 1
  },
  cache: {
    redis: new Redis({
      url: need('LEASE_REDIS_URL'),
      token: need('LEASE_REDIS_TOKEN'),
      enableTelemetry: false,
      retry: false,
    }),
    namespace: need('LEASE_NAMESPACE'),
    ...(ttlMs !== undefined && { lock: { ttlMs } }),
    ...(hold && {
      hooks: {
        beforeStore: async (key: string) => {
          if (!armed) return
          await send({ type: 'paused', key, at: Date.now() })
          await new Promise(() => {}) // loaded, holding the lease, never storing: killed here
        },
      },
    }),
  },
})

async function read(id: number) {
  const scope = factory.forTenant({ orgId: org, role: 'admin' })
  try {
    const document = await scope.documents.findById(id)
    return { title: document.title, outcome: scope.cacheOutcomes.join(',') }
  } finally {
    void scope.dispose()
  }
}

async function reads(command: ReadCommand): Promise<ChildMessage> {
  const wait = command.at - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  armed = true
  documentSelects = 0
  const startedAt = Date.now()
  const results = await Promise.all(
    Array.from({ length: command.count }, async () => {
      const began = performance.now()
      try {
        const { title, outcome } = await read(command.id)
        return { latency: performance.now() - began, title, outcome, error: undefined }
      } catch (error) {
        return { latency: performance.now() - began, title: '', outcome: 'error', error: String(error) }
      }
    }),
  )
  return {
    type: 'done',
    startedAt,
    endedAt: Date.now(),
    latenciesMs: results.map((r) => r.latency),
    outcomes: results.map((r) => r.outcome),
    titles: results.map((r) => r.title),
    errors: results.flatMap((r) => (r.error ? [r.error] : [])),
    documentSelects,
  }
}

process.on('message', (command: ReadCommand) => {
  if (command.type !== 'read') return
  reads(command).then(send, (error) => send({ type: 'failed', error: String(error?.stack ?? error) }))
})
process.on('disconnect', () => {
  void factory.dispose().finally(() => process.exit(0))
})

// warm up: the driver's modules and a pooled connection, the Redis client and the lookup script
await read(Number(need('LEASE_WARMUP_ID')))
await factory.cache?.idle()
await send({ type: 'ready' })
