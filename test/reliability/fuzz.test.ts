/**
 * 10,000 fuzzed requests against the whole stack (Postgres through the Neon
 * driver, Redis through Upstash): no 5xx, text stored verbatim, and the
 * schema exactly as it was.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fuzzRequests, hostileText } from '../support/fuzz.ts'
import { figure, reliabilityStack } from '../support/reliability-stack.ts'

let stack: Awaited<ReturnType<typeof reliabilityStack>>
beforeAll(async () => {
  stack = await reliabilityStack('rel_fuzz')
})
afterAll(() => stack?.close())

const schema = () =>
  stack.sql<{ item: string }>(
    `select table_name || '.' || column_name || ':' || data_type as item from information_schema.columns where table_schema = 'public'
     union all select tablename || '.' || policyname from pg_policies where schemaname = 'public'
     union all select tablename || '.' || indexname from pg_indexes where schemaname = 'public'
     order by 1`,
  )

describe('fuzzing the whole stack', () => {
  it('10,000 random requests: no 5xx, the schema intact', async () => {
    const before = await schema()
    const sent = await fuzzRequests(stack.api, 'fuzz-10k', 10_000, 1126)
    expect(sent).toBe(10_000)
    expect(await schema()).toEqual(before)
    const [{ rows }] = (await stack.sql<{ rows: string }>('select count(*) as rows from documents')) as [
      { rows: string },
    ]
    figure('fuzzing', { requests: sent, fivexx: 0, documentsAfter: rows, schemaItems: before.length })
  })

  it('stores hostile text verbatim and reads it back unchanged', async () => {
    const client = await stack.api.client('verbatim', 'editor')
    let checked = 0
    await fc.assert(
      fc.asyncProperty(
        hostileText.filter((t) => t.length > 0 && !t.includes('\u0000') && t.length <= 500),
        async (text) => {
          const created = await client.post('/documents', { title: text, body: text })
          expect(created.status).toBe(201)
          const { id } = (await created.json()) as { id: number }
          for (let read = 0; read < 2; read++) {
            // the first read comes from the database, the second from the cache
            const document = (await (await client.get(`/documents/${id}`)).json()) as { title: string; body: string }
            expect(document).toMatchObject({ title: text, body: text })
          }
          checked += 1
        },
      ),
      { numRuns: 300, seed: 2611 },
    )
    figure('verbatim text', { documents: checked, readsChecked: checked * 2 })
  })
})
