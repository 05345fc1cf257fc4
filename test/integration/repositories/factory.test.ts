/** The repository factory: one per isolate, request scopes by the runtime rule, lookup by name. */
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import {
  createDatabase,
  DocumentRepository,
  migrateToLatest,
  type NeonPoolConfig,
  RepositoryFactory,
  silentLogger,
  TopicRepository,
  ValidationError,
} from '@serverless-dal/repository'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.ts'

let scratch: ScratchDatabase
let neon: NeonStandIn
let database: NeonPoolConfig

beforeAll(async () => {
  scratch = await createScratchDatabase('factory')
  neon = await startNeonStandIn({ upstreamUrl: scratch.url })
  database = { driver: 'neon-pool', connectionString: scratch.url, proxy: { webSocketUrl: neon.webSocketUrl } }
  const migrator = createDatabase(database)
  await migrateToLatest(migrator.db)
  await migrator.dispose()
})

/** Open tunnels once closing ones have closed. */
async function settledTunnels(): Promise<number> {
  let last = -1
  for (;;) {
    const now = neon.openTunnels()
    if (now === last) return now
    last = now
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
afterAll(async () => {
  await neon?.close()
  await scratch?.drop()
})
afterEach(() => RepositoryFactory.resetInstance())

const config = () => ({ database, cursorSecret: 'factory-test-cursor-secret', logger: silentLogger })

describe('RepositoryFactory', () => {
  it('keeps one instance per isolate, configured on first use', () => {
    expect(() => RepositoryFactory.getInstance()).toThrow(/needs a configuration/)
    let reads = 0
    const first = RepositoryFactory.getInstance(() => {
      reads += 1
      return config()
    })
    expect(RepositoryFactory.getInstance(config)).toBe(first)
    expect(RepositoryFactory.getInstance()).toBe(first)
    expect(reads).toBe(1)
  })

  it('looks repositories up by name, as the seed does', async () => {
    const factory = RepositoryFactory.getInstance(config)
    const scope = { orgId: 'lookup', role: 'editor' } as const
    expect(factory.getRepository('documents', scope)).toBeInstanceOf(DocumentRepository)
    const repos = factory.forTenant(scope)
    expect(repos.getRepository('topics')).toBe(repos.topics)
    expect(repos.getRepository('topics')).toBeInstanceOf(TopicRepository)
    expect(() => repos.getRepository('users' as 'topics')).toThrow(/no repository named users/)
  })

  it('refuses a scope without a valid organization and role', () => {
    const factory = RepositoryFactory.getInstance(config)
    expect(() => factory.forTenant({ orgId: 'bad org!', role: 'editor' })).toThrow(ValidationError)
    expect(() => factory.forTenant({ orgId: 'ok', role: 'root' as 'admin' })).toThrow(ValidationError)
    expect(() => factory.forTenant(undefined as never)).toThrow(ValidationError)
  })

  it('on Workers gives each request scope its own pool, ended by dispose', async () => {
    const factory = new RepositoryFactory({ ...config(), runtime: 'workers' })
    const before = await settledTunnels()
    const first = factory.forTenant({ orgId: 'workers', role: 'editor' })
    const second = factory.forTenant({ orgId: 'workers', role: 'editor' })
    await Promise.all([first.documents.create({ title: 'one' }), second.documents.count()])
    expect(neon.openTunnels()).toBe(before + 2)
    await first.dispose()
    await expect.poll(() => neon.openTunnels()).toBe(before + 1)
    await second[Symbol.asyncDispose]()
    await expect.poll(() => neon.openTunnels()).toBe(before)
  })

  it('on Lambda and Node shares one pool across request scopes until the factory is disposed', async () => {
    const factory = new RepositoryFactory({ ...config(), runtime: 'lambda' })
    const before = await settledTunnels()
    for (let request = 0; request < 3; request++) {
      const repos = factory.forTenant({ orgId: 'lambda', role: 'editor' })
      await repos.documents.count()
      await repos.dispose()
    }
    expect(neon.openTunnels()).toBe(before + 1)
    await factory.dispose()
    await expect.poll(() => neon.openTunnels()).toBe(before)
  })
})
