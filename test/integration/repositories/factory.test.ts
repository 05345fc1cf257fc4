/** The repository factory: your repository classes per request scope, scopes by the runtime rule, disposal. */

import {
  createDocumentsFactory,
  DocumentRepository,
  type DocumentsFactory,
  documentRepositories,
  documentsMigrations,
  TopicRepository,
} from '@serverless-dal/documents'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import {
  createDatabase,
  migrateToLatest,
  type NeonPoolConfig,
  RepositoryFactory,
  silentLogger,
  ValidationError,
} from '@serverless-dal/repository'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { allDrivers } from '../../support/drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.ts'

let scratch: ScratchDatabase
let neon: NeonStandIn
let database: NeonPoolConfig

beforeAll(async () => {
  scratch = await createScratchDatabase('factory')
  neon = await startNeonStandIn({ upstreamUrl: scratch.url })
  database = { driver: 'neon-pool', connectionString: scratch.url, proxy: { webSocketUrl: neon.webSocketUrl } }
  const migrator = createDatabase(database, allDrivers)
  await migrateToLatest(migrator.db, documentsMigrations)
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
const opened: DocumentsFactory[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((factory) => factory.dispose()))
})

const config = () => ({ database, ...allDrivers, cursorSecret: 'factory-test-cursor-secret', logger: silentLogger })
const documentsFactory = (overrides: Partial<Parameters<typeof createDocumentsFactory>[0]> = {}) => {
  const factory = createDocumentsFactory({ ...config(), ...overrides })
  opened.push(factory)
  return factory
}

describe('RepositoryFactory', () => {
  it('builds each repository class it was given as a property of every scope, bound to that tenant', async () => {
    const factory = documentsFactory()
    const repos = factory.forTenant({ orgId: 'classes', role: 'editor' })
    expect(repos.documents).toBeInstanceOf(DocumentRepository)
    expect(repos.topics).toBeInstanceOf(TopicRepository)
    const topic = await repos.topics.create({ name: 'only here' })
    const other = factory.forTenant({ orgId: 'classes-other', role: 'editor' })
    await expect(other.topics.findById(topic.id)).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(other.documents).not.toBe(repos.documents)
    await Promise.all([repos.dispose(), other.dispose()])
  })

  it('builds a repository on its first use in a scope, and only the ones a request uses', async () => {
    let built = 0
    class CountedTopics extends TopicRepository {
      constructor(...args: ConstructorParameters<typeof TopicRepository>) {
        super(...args)
        built += 1
      }
    }
    const factory = new RepositoryFactory({
      ...config(),
      repositories: { ...documentRepositories, topics: CountedTopics },
    })
    opened.push(factory as unknown as DocumentsFactory)
    const first = factory.forTenant({ orgId: 'lazy', role: 'editor' }) // the first scope checks every name: builds all
    expect(built).toBe(1)
    const repos = factory.forTenant({ orgId: 'lazy', role: 'editor' })
    await repos.documents.findMany({}, { limit: 1 })
    expect(built).toBe(1)
    expect(repos.topics).toBeInstanceOf(CountedTopics)
    expect(repos.topics).toBe(repos.topics)
    expect(built).toBe(2)
    await Promise.all([first.dispose(), repos.dispose()])
  })

  it('refuses, at construction, a repository named like a member of the scope', () => {
    for (const name of ['transaction', 'dispose', 'db', 'read', 'replay', 'cacheOutcomes', 'then']) {
      expect(
        () =>
          new RepositoryFactory({ ...config(), repositories: { ...documentRepositories, [name]: TopicRepository } }),
      ).toThrow(new RegExp(`cannot be named "${name}"`))
    }
  })

  it('disposes a scope opened with `await using` when the block ends', async () => {
    const factory = documentsFactory({ runtime: 'workers' })
    const before = await settledTunnels()
    {
      await using repos = factory.forTenant({ orgId: 'using', role: 'editor' })
      await repos.documents.count()
      expect(neon.openTunnels()).toBe(before + 1)
    }
    await expect.poll(() => neon.openTunnels()).toBe(before)
  })

  it('refuses a scope without a valid organization and role', () => {
    const factory = documentsFactory()
    expect(() => factory.forTenant({ orgId: 'bad org!', role: 'editor' })).toThrow(ValidationError)
    expect(() => factory.forTenant({ orgId: 'ok', role: 'root' as 'admin' })).toThrow(ValidationError)
    expect(() => factory.forTenant(undefined as never)).toThrow(ValidationError)
  })

  it('on Workers gives each request scope its own pool, ended by dispose', async () => {
    const factory = documentsFactory({ runtime: 'workers' })
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
    const factory = documentsFactory({ runtime: 'lambda' })
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
