/**
 * What no client can break: `/openapi.json` is a valid OpenAPI 3.1 document
 * of every route; random bodies, parameters and headers never get a 5xx;
 * an unexpected failure is a 500 with a request id and nothing internal; a
 * database that is gone is a 503 with Retry-After.
 */

import { compileErrors, validate } from '@readme/openapi-parser'
import type { DatabaseLifetime } from '@serverless-dal/repository'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, apiOver, problemOf } from '../../support/api.ts'
import { fuzzRequests } from '../../support/fuzz.ts'
import { neonBackend, orgId, pgliteBackend, type RepositoryBackend } from '../../support/repository-backends.ts'
import { unreachableDatabase } from '../../support/unreachable-database.ts'

let backend: RepositoryBackend
let api: Api
let postgres: RepositoryBackend
beforeAll(async () => {
  backend = pgliteBackend()
  postgres = neonBackend()
  await Promise.all([backend.setup(), postgres.setup()])
  api = apiOver(backend)
})
afterAll(() => Promise.all([backend?.teardown(), postgres?.teardown()]))

const ROUTES = [
  'get /ping',
  'get /health',
  'post /documents',
  'get /documents',
  'get /documents/{id}',
  'patch /documents/{id}',
  'delete /documents/{id}',
  'post /documents/{id}/links',
  'get /documents/{id}/related',
  'post /topics',
  'get /topics/{id}/documents',
]

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document that lists every route, /ping and /health included', async () => {
    const response = await api.request('/openapi.json')
    expect(response.status).toBe(200)
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(document.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(document) as never)
    if (!result.valid) throw new Error(compileErrors(result))
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    )
    expect(listed.sort()).toEqual([...ROUTES].sort()) // /ping and /health too, and nothing undocumented
  })
})

describe('fuzzing', () => {
  it.each(['PGlite', 'Postgres via Neon'])('never answers 5xx to random requests, on %s', async (name) => {
    const target = name === 'PGlite' ? api : apiOver(postgres)
    const sent = await fuzzRequests(target, orgId('fuzz'), 400, 20261126)
    console.log(`fuzzing ${name}: ${sent} requests, no 5xx`)
    expect(sent).toBe(400)
  })
})

describe('failures of the service itself', () => {
  it('answers an unexpected error with a 500 that carries a request id and nothing internal', async () => {
    const broken: DatabaseLifetime = {
      lease: () => {
        throw new Error('injected: secret internals at 10.0.0.7')
      },
      dispose: async () => {},
    }
    const failing = apiOver({ ...backend, lifetime: broken } as RepositoryBackend)
    const client = await failing.client(orgId('broken'), 'viewer')
    const response = await client.get('/documents', { 'x-request-id': 'req-500' })
    const id = response.headers.get('x-request-id')
    const problem = await problemOf(response)
    expect(problem.status).toBe(500)
    // the server's id, never the one the client chose (which could forge another request's)
    expect((problem as { requestId?: string }).requestId).toBe(id)
    expect(id).not.toBe('req-500')
    expect(JSON.stringify(problem)).not.toContain('10.0.0.7')
  })

  it('answers 503 with Retry-After when the database is unreachable', async () => {
    const unreachable = await unreachableDatabase(2_000)
    try {
      const down = apiOver(unreachable)
      const client = await down.client(orgId('down'), 'viewer')
      const response = await client.get('/documents')
      expect((await problemOf(response)).status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('1')
    } finally {
      await unreachable.close()
    }
  })
})
