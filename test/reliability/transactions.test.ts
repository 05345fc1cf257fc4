/**
 * Transactions under faults and contention: connections cut at random points
 * (through the Neon stand-in), 100 parallel transactions of which half throw,
 * 50 concurrent PATCHes of one version. Nothing partial, nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figure, reliabilityStack } from '../support/reliability-stack.ts'

let stack: Awaited<ReturnType<typeof reliabilityStack>>
beforeAll(async () => {
  stack = await reliabilityStack('rel_tx')
})
afterAll(() => stack?.close())

describe('transactions under faults', () => {
  it('connections cut at random points: no partial rows, clients get 503, the pool recovers', async () => {
    const client = await stack.api.client('drops', 'editor')
    const statuses: number[] = []
    let faults = 0
    let running = true
    const injector = (async () => {
      while (running) {
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 60))
        faults += stack.neon.dropConnections() > 0 ? 1 : 0
      }
    })()
    const worker = async (lane: number) => {
      for (let i = 0; i < 15; i++) {
        const response = await client.post('/documents', {
          title: `lane ${lane} #${i}`,
          summary: `summary ${lane}/${i}`,
        })
        statuses.push(response.status)
        await response.arrayBuffer()
      }
    }
    await Promise.all(Array.from({ length: 8 }, (_, lane) => worker(lane)))
    running = false
    await injector

    expect(statuses.every((status) => status === 201 || status === 503)).toBe(true)
    const created = statuses.filter((status) => status === 201).length
    const rows = await stack.sql<{ id: string; summaries: string }>(
      `select d.id, count(s.id) as summaries from documents d left join summaries s
         on s.organization_id = d.organization_id and s.document_id = d.id
       where d.organization_id = 'drops' group by d.id`,
    )
    // A commit whose answer was cut still counts as a row; a row is never half written.
    expect(rows.every((row) => Number(row.summaries) === 1)).toBe(true)
    expect(rows.length).toBeGreaterThanOrEqual(created)
    expect(rows.length).toBeLessThanOrEqual(statuses.length)

    for (let i = 0; i < 5; i++) expect((await client.post('/documents', { title: `after ${i}` })).status).toBe(201)
    figure('connection drops', {
      requests: statuses.length,
      faultsInjected: faults,
      answered503: statuses.length - created,
      rowsChecked: rows.length,
    })
    expect(faults).toBeGreaterThan(0)
  })

  it('100 parallel transactions, half throwing: exactly the other half committed, whole', async () => {
    const repos = stack.api.service.factory.forTenant({ orgId: 'parallel', role: 'editor' })
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        repos.transaction(async (tx) => {
          const doc = await tx.documents.create({ title: `tx ${i}` })
          await tx.summaries.create({ documentId: doc.id, text: `for ${i}` })
          if (i % 2 === 1) throw new Error(`tx ${i} changed its mind`)
          return doc.id
        }),
      ),
    )
    await repos.dispose()
    const committed = outcomes.filter((o) => o.status === 'fulfilled').length
    const rows = await stack.sql<{ title: string; summaries: string }>(
      `select d.title, (select count(*) from summaries s where s.organization_id = d.organization_id and s.document_id = d.id) as summaries
       from documents d where d.organization_id = 'parallel'`,
    )
    const orphans = await stack.sql(
      `select 1 from summaries where organization_id = 'parallel' and document_id not in (select id from documents)`,
    )
    expect(committed).toBe(50)
    expect(rows).toHaveLength(50)
    expect(rows.every((row) => Number(row.summaries) === 1 && Number(row.title.split(' ')[1]) % 2 === 0)).toBe(true)
    expect(orphans).toEqual([])
    figure('parallel transactions', { transactions: 100, thrown: 50, rowsChecked: rows.length })
  })

  it('50 concurrent PATCHes of one version: one 200, 49 409, no lost update', async () => {
    const client = await stack.api.client('patches', 'editor')
    const created = (await (await client.post('/documents', { title: 'v1' })).json()) as { id: number }
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.patch(`/documents/${created.id}`, { title: `writer ${i}` }, { 'if-match': '"1"' }),
      ),
    )
    const statuses = responses.map((r) => r.status)
    const winner = responses.find((r) => r.status === 200)
    const won = (await winner?.json()) as { title: string; version: number }
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(49)
    const [row] = await stack.sql<{ title: string; version: number }>(
      `select title, version from documents where organization_id = 'patches' and id = $1`,
      [created.id],
    )
    expect(row).toEqual({ title: won.title, version: 2 })
    figure('concurrent PATCHes', { requests: 50, ok: 1, conflicts: 49, rowsChecked: 1 })
  })
})
