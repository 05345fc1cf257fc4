/**
 * Dependencies failing under load: Postgres stopped (the stand-in refuses
 * and cuts every connection) and the Upstash bridge slowed, then stopped.
 * Cached reads go on, writes fail cleanly with 503 and Retry-After, nothing
 * is half written, and service resumes when the dependency returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figure, reliabilityStack } from '../support/reliability-stack.ts'

let stack: Awaited<ReturnType<typeof reliabilityStack>>
beforeAll(async () => {
  stack = await reliabilityStack('rel_outage')
})
afterAll(() => stack?.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Sends `send()` from `lanes` concurrent loops until `until()` says stop; returns every status. */
async function underLoad(lanes: number, send: (i: number) => Response | Promise<Response>, until: () => boolean) {
  const statuses: number[] = []
  const retryAfter: Array<string | null> = []
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = 0; !until(); i++) {
        const response = await send(lane * 100_000 + i)
        statuses.push(response.status)
        if (response.status === 503) retryAfter.push(response.headers.get('retry-after'))
        await response.arrayBuffer()
        await new Promise((resolve) => setImmediate(resolve)) // memory hits never yield: let timers run
      }
    }),
  )
  return { statuses, retryAfter }
}

describe('dependencies failing under load', () => {
  it('Postgres stopped: cached reads go on, writes answer 503 with Retry-After, nothing partial; it resumes', async () => {
    const client = await stack.api.client('pg-outage', 'editor')
    const docs: number[] = []
    for (let i = 0; i < 5; i++)
      docs.push(((await (await client.post('/documents', { title: `cached ${i}` })).json()) as { id: number }).id)
    for (const id of docs) await client.get(`/documents/${id}`) // cached in memory and Redis
    await stack.api.service.factory.cache?.idle()

    let stop = false
    const reads = underLoad(
      4,
      (i) => client.get(`/documents/${docs[i % docs.length]}`),
      () => stop,
    )
    const writes = underLoad(
      2,
      (i) => client.post('/documents', { title: `during ${i}`, summary: 's' }),
      () => stop,
    )
    await sleep(100)
    stack.neon.setOutage(true)
    await sleep(2_500) // past the memory tier's 2 s: reads come from Redis
    stack.neon.setOutage(false)
    await sleep(300)
    stop = true
    const [read, write] = await Promise.all([reads, writes])

    expect(read.statuses.every((status) => status === 200)).toBe(true)
    expect(write.statuses.every((status) => status === 201 || status === 503)).toBe(true)
    expect(write.statuses.filter((status) => status === 503).length).toBeGreaterThan(0)
    expect(write.retryAfter.every((value) => value === '1')).toBe(true)
    const after = await client.post('/documents', { title: 'after the outage', summary: 's' })
    expect(after.status).toBe(201)

    const rows = await stack.sql<{ summaries: string }>(
      `select (select count(*) from summaries s where s.organization_id = d.organization_id and s.document_id = d.id) as summaries
       from documents d where d.organization_id = 'pg-outage' and d.title like 'during %'`,
    )
    expect(rows.every((row) => Number(row.summaries) === 1)).toBe(true)
    expect(rows.length).toBeGreaterThanOrEqual(write.statuses.filter((status) => status === 201).length)
    figure('Postgres outage', {
      reads: read.statuses.length,
      writes: write.statuses.length,
      writes503: write.statuses.filter((status) => status === 503).length,
      rowsChecked: rows.length,
    })
  })

  it('the Upstash bridge slowed, then stopped, then back: no read fails', async () => {
    const client = await stack.api.client('redis-outage', 'editor')
    const docs: number[] = []
    for (let i = 0; i < 5; i++)
      docs.push(((await (await client.post('/documents', { title: `r ${i}` })).json()) as { id: number }).id)

    let stop = false
    const reads = underLoad(
      4,
      (i) => client.get(`/documents/${docs[i % docs.length]}`),
      () => stop,
    )
    const writes = underLoad(
      1,
      (i) => client.post('/documents', { title: `w ${i}` }),
      () => stop,
    )
    await sleep(200)
    stack.bridge.setLatency(2_000) // slower than the cache's Redis timeout
    await sleep(1_000)
    stack.bridge.setLatency(0)
    await stack.stopBridge()
    await sleep(1_000)
    await stack.restartBridge()
    await sleep(500)
    stop = true
    const [read, write] = await Promise.all([reads, writes])

    expect(read.statuses.every((status) => status === 200)).toBe(true)
    expect(write.statuses.every((status) => status === 201)).toBe(true)
    // Redis is back once the breaker's cooldown (5 s) lets a trial call through
    await expect
      .poll(async () => ((await (await stack.api.request('/health')).json()) as { cache: string }).cache, {
        timeout: 8_000,
        interval: 250,
      })
      .toBe('ok')
    figure('Redis slowed and stopped', { reads: read.statuses.length, writes: write.statuses.length, failedReads: 0 })
  })
})
