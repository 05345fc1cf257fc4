/**
 * `/openapi.json` is written from the operations the routes are registered
 * from: every route the app answers is an operation, the committed document
 * is what the operations write today, and the service answers it (with the
 * 429s where a rate limit is set).
 */
import { readFileSync } from 'node:fs'
import { RepositoryMetrics } from '@serverless-dal/repository'
import { describe, expect, it } from 'vitest'
import { type AppOptions, createApp, OPERATIONS } from '../app.ts'
import { OPENAPI_JSON_URL, openApiJson, writeOpenApiDocument } from './document.ts'
import { servedDocument } from './served-document.ts'

const app = createApp({
  factory: {} as AppOptions['factory'], // never reached: no route here asks for a tenant scope
  databases: {} as AppOptions['databases'],
  metrics: new RepositoryMetrics(),
  jwtSecret: 'document-test-secret-0123456789ab',
  docs: false,
})

const SERVED_BESIDE_THE_API = ['GET /openapi.json']

describe('the OpenAPI document', () => {
  it('has an operation for every route the app answers, and a route for every operation', () => {
    const routed = new Set(
      app.routes.filter(({ method }) => method !== 'ALL').map(({ method, path }) => `${method} ${path}`),
    )
    const documented = OPERATIONS.map(({ method, path }) => `${method.toUpperCase()} ${path}`)
    expect([...routed].sort()).toEqual([...documented, ...SERVED_BESIDE_THE_API].sort())
  })

  it('writes each path in OpenAPI form, with its parameters, body and problems', () => {
    const document = writeOpenApiDocument(OPERATIONS)
    const patch = document.paths['/documents/{id}']?.patch as {
      parameters: Array<{ name: string; in: string; required: boolean }>
      requestBody: { content: Record<string, { schema: { $ref: string } }> }
      responses: Record<string, unknown>
    }
    expect(patch.parameters.map(({ name, in: where, required }) => [name, where, required])).toEqual([
      ['id', 'path', true],
      ['if-match', 'header', false],
    ])
    expect(patch.requestBody.content['application/json']?.schema.$ref).toBe('#/components/schemas/DocumentPatch')
    expect(Object.keys(patch.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '412',
      '413',
      '415',
      '422',
      '428',
    ])
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Document', 'DocumentPage', 'NewDocument', 'DocumentPatch', 'Problem', 'Topic']),
    )
  })

  it('adds the 429 to every operation that takes a token when a rate limit is set, and to no other', () => {
    const document = servedDocument({ rateLimited: true }) as ReturnType<typeof writeOpenApiDocument>
    const withTooMany = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => '429' in (operation as { responses: object }).responses)
        .map(([method]) => `${method} ${path}`),
    )
    expect(withTooMany).toHaveLength(OPERATIONS.length - 2)
    expect(withTooMany).not.toContain('get /ping')
    expect(withTooMany).not.toContain('get /health')
  })

  it('is committed as the operations write it today (npm run docs:openapi writes it)', () => {
    const committed = readFileSync(OPENAPI_JSON_URL, 'utf8')
    expect(committed, 'openapi/openapi.json is out of date: run npm run docs:openapi').toBe(openApiJson(OPERATIONS))
  })

  it('answers the committed document, the same to every request', async () => {
    const first = await (await app.request('/openapi.json')).json()
    const second = await (await app.request('/openapi.json')).json()
    expect(second).toEqual(first)
    expect(first).toEqual(JSON.parse(readFileSync(OPENAPI_JSON_URL, 'utf8')))
  })
})
