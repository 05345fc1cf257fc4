/**
 * The typed client against `npm start` (embedded PGlite, the token it prints):
 * a document created and read back through `hc<AppType>`, and a problem
 * answer surfacing as an `ApiError`. `typing-checks.ts` is the compile-time
 * half: `npm run typecheck` fails when a wrong call compiles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EmbeddedServer, startEmbeddedServer } from '../../test/support/embedded-server.ts'
import { ApiError, createAndReadBack, documentsClient } from './client.ts'

describe('the typed client against npm start', () => {
  let embedded: EmbeddedServer
  let base: string
  let token: string
  beforeAll(async () => {
    embedded = await startEmbeddedServer('client')
    ;({ base, token } = embedded)
  }, 60_000)
  afterAll(() => embedded?.stop())

  it('creates a document and reads it back, typed end to end', async () => {
    const api = documentsClient(base, token)
    const { created, read, etag } = await createAndReadBack(api, {
      title: 'From the typed client',
      status: 'published',
      summary: 'hc<AppType>',
    })
    expect(created).toMatchObject({ title: 'From the typed client', status: 'published', version: 1 })
    expect(read).toMatchObject({ id: created.id, title: created.title, version: 1 })
    expect(read.summaries?.map((summary) => summary.text)).toEqual(['hc<AppType>'])
    expect(etag).toBe('"1"')

    const pong = await api.ping.$get()
    expect(await pong.text()).toBe('pong')
    const health = await api.health.$get()
    expect(health.status).toBe(200)
    if (health.status === 200) expect((await health.json()).db).toBe('ok')
  })

  it('answers a problem as an ApiError with its status and detail', async () => {
    const refused = createAndReadBack(documentsClient(base, 'not-a-token'), { title: 'no' })
    await expect(refused).rejects.toBeInstanceOf(ApiError)
    await expect(refused).rejects.toMatchObject({ problem: { status: 401, title: 'Unauthorized' } })
  })
})
