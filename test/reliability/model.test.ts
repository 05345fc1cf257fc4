/**
 * Property-based: random sequences of operations by three organizations
 * through the HTTP API, with the cache on (memory and Redis). After every
 * step the answers match a simple model; no answer ever carries another
 * organization's data; at the end the database holds exactly the model.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figure, RELIABILITY_FULL, reliabilityStack } from '../support/reliability-stack.ts'

let stack: Awaited<ReturnType<typeof reliabilityStack>>
beforeAll(async () => {
  stack = await reliabilityStack('rel_model')
})
afterAll(() => stack?.close())

type Step =
  | { op: 'create'; org: number; title: string }
  | { op: 'get' | 'delete' | 'probe'; org: number; pick: number }
  | { op: 'patch'; org: number; pick: number; title: string }
  | { op: 'list'; org: number }

const title = fc.string({ minLength: 1, maxLength: 30 }).filter((t) => !t.includes('\u0000'))
const org = fc.integer({ min: 0, max: 2 })
const pick = fc.nat({ max: 50 })
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('create' as const), org, title }), weight: 3 },
  {
    arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'delete' as const, 'probe' as const), org, pick }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('patch' as const), org, pick, title }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('list' as const), org }), weight: 1 },
)

interface ModelDoc {
  title: string
  version: number
}

let run = 0
let requests = 0

describe('three organizations against a model', () => {
  it('answer as the model says, never with another organization’s data, and end equal to it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 15, maxLength: 40, size: 'max' }), async (steps) => {
        run += 1
        const orgs = [0, 1, 2].map((i) => `model-${run}-${i}`)
        const marks = orgs.map((name) => `«${name}»`) // in every title, so a leak is visible in any body
        const editors = await Promise.all(orgs.map((name) => stack.api.client(name, 'editor')))
        const admins = await Promise.all(orgs.map((name) => stack.api.client(name, 'admin')))
        const model = orgs.map(() => new Map<number, ModelDoc>())
        const nth = (o: number, n: number) =>
          [...(model[o] as Map<number, ModelDoc>).keys()][n % Math.max(1, model[o]?.size ?? 1)]

        for (const s of steps) {
          const mine = model[s.org] as Map<number, ModelDoc>
          const editor = editors[s.org] as (typeof editors)[number]
          let response: Response
          if (s.op === 'create') {
            const full = `${marks[s.org]} ${s.title}`
            response = await editor.post('/documents', { title: full })
            expect(response.status).toBe(201)
            const body = (await response.clone().json()) as { id: number; version: number; title: string }
            expect(body.title).toBe(full)
            mine.set(body.id, { title: full, version: 1 })
          } else if (s.op === 'get' || s.op === 'patch' || s.op === 'delete') {
            const id = nth(s.org, s.pick)
            if (id === undefined) continue
            if (s.op === 'get') {
              response = await editor.get(`/documents/${id}`)
              expect(response.status).toBe(200)
              expect(await response.clone().json()).toMatchObject({ id, ...mine.get(id) })
            } else if (s.op === 'patch') {
              const doc = mine.get(id) as ModelDoc
              const full = `${marks[s.org]} ${s.title}`
              response = await editor.patch(`/documents/${id}`, { title: full }, { 'if-match': `"${doc.version}"` })
              expect(response.status).toBe(200)
              mine.set(id, { title: full, version: doc.version + 1 })
            } else {
              response = await (admins[s.org] as (typeof admins)[number]).delete(`/documents/${id}`)
              expect(response.status).toBe(204)
              mine.delete(id)
            }
          } else if (s.op === 'probe') {
            // another organization's document, by id: exactly like a missing one
            const other = (s.org + 1 + (s.pick % 2)) % 3
            const id = nth(other, s.pick)
            if (id === undefined) continue
            response = await editor.get(`/documents/${id}`)
            expect(response.status).toBe(404)
          } else {
            response = await editor.get('/documents?limit=100')
            expect(response.status).toBe(200)
            const page = (await response.clone().json()) as {
              items: Array<{ id: number; title: string; version: number }>
            }
            const seen = new Map(page.items.map((d) => [d.id, { title: d.title, version: d.version }]))
            expect(seen).toEqual(mine)
          }
          requests += 1
          const text = await response.text()
          for (const [i, mark] of marks.entries()) if (i !== s.org) expect(text).not.toContain(mark)
        }

        for (const [i, name] of orgs.entries()) {
          const rows = await stack.sql<{ id: string; title: string; version: number }>(
            'select id, title, version from documents where organization_id = $1',
            [name],
          )
          expect(new Map(rows.map((r) => [Number(r.id), { title: r.title, version: r.version }]))).toEqual(model[i])
        }
      }),
      { numRuns: RELIABILITY_FULL ? 100 : 25, seed: 1126 },
    )
    figure('model-based sequences', { runs: run, requests, organizations: 3 * run })
  })
})
