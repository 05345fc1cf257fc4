/**
 * The example app end to end, on PGlite with the memory tier and nothing
 * else: read, hit, write in a transaction, fresh read, and another tenant
 * that sees nothing — on the package's public exports only.
 */
import { readFileSync } from 'node:fs'
import { migrateToLatest, NotFoundError, perProcessLifetime, silentLogger } from '@serverless-dal/repository'
import { pgliteDriver } from '@serverless-dal/repository/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DB, migrations, projectsFactory } from './src/index.ts'

const database = perProcessLifetime<DB>({ driver: 'pglite' }, { drivers: [pgliteDriver] })
const factory = projectsFactory(database, { logger: silentLogger, cursorSecret: 'example-projects-cursor-secret' })

beforeAll(async () => {
  await migrateToLatest(database.lease().database.db, migrations)
})
afterAll(() => factory.dispose())

describe('the projects example', () => {
  it('reads, hits, writes in a transaction, reads fresh, and keeps each tenant to its own rows', async () => {
    await using acme = factory.forTenant({ orgId: 'acme', role: 'editor' })
    const { project, first } = await acme.transaction(async (tx) => {
      const project = await tx.projects.create({ name: 'Launch' })
      const first = await tx.tasks.create({ projectId: project.id, title: 'Write the README' })
      await tx.tasks.create({ projectId: project.id, title: 'Tag the release' })
      return { project, first }
    })

    const open = await acme.tasks.open({ projectId: project.id })
    expect(open.map((task) => task.title)).toEqual(['Write the README', 'Tag the release'])
    expect(await acme.tasks.open({ projectId: project.id })).toEqual(open)
    expect(await acme.tasks.openCounts({})).toEqual([{ projectId: project.id, open: 2 }])
    expect(acme.cacheOutcomes).toEqual(['miss', 'memory-hit', 'miss'])

    const done = await acme.tasks.complete(first.id, 'Announce it')
    expect(done.done).toBe(true)
    const fresh = await acme.tasks.open({ projectId: project.id })
    expect(fresh.map((task) => task.title)).toEqual(['Tag the release', 'Announce it'])
    expect(await acme.tasks.openCounts({})).toEqual([{ projectId: project.id, open: 2 }])
    expect(acme.cacheOutcomes.slice(3)).toEqual(['miss', 'miss'])

    await using globex = factory.forTenant({ orgId: 'globex', role: 'editor' })
    expect(await globex.tasks.open({ projectId: project.id })).toEqual([])
    expect(await globex.tasks.openCounts({})).toEqual([])
    await expect(globex.projects.findById(project.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(globex.tasks.create({ projectId: project.id, title: 'sneak in' })).rejects.toMatchObject({
      name: 'ForeignKeyError',
    })
  })

  it('rolls a failed transaction back whole: no project without its task', async () => {
    await using acme = factory.forTenant({ orgId: 'acme-rollback', role: 'editor' })
    await expect(
      acme.transaction(async (tx) => {
        await tx.projects.create({ name: 'Half done' })
        await tx.tasks.create({ projectId: 999_999, title: 'points nowhere' })
      }),
    ).rejects.toMatchObject({ name: 'ForeignKeyError' })
    expect((await acme.projects.findMany()).items).toEqual([])
  })
})

describe('the README', () => {
  it('shows the example repository as it is', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const source = readFileSync(new URL('./src/projects.ts', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``)
  })
})
