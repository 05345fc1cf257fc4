/**
 * The OpenAPI 3.1 document, written from the operations (`operation.ts`) and
 * their zod schemas with zod's own JSON Schema output. Schemas registered in
 * `components` are written once and referenced.
 *
 * Run by `npm run docs:openapi`, which commits its output as `openapi.json`,
 * and by the test that keeps that file current: the bundles serve the file
 * (`served-document.ts`) and carry no JSON Schema writer (issue 18).
 */
import * as z from 'zod/mini'
import { components } from './components.ts'
import type { OperationSpec, ResponseSpec } from './operation.ts'
import { RESPONSE_SCHEMAS } from './response-schemas.ts'

type JsonSchema = Record<string, unknown>

const COMPONENT = '#/components/schemas/'

export function writeOpenApiDocument(operations: readonly OperationSpec[]) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const spec of operations) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}')
    paths[path] = { ...paths[path], [spec.method]: operationObject(spec) }
  }
  // after the paths: writing them builds (and registers) the requests' schemas
  const schemas = componentSchemas()
  return {
    openapi: '3.1.0',
    info: { title: 'serverless-dal documents API', version: '1.0.0' },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas,
    },
    paths,
  }
}

function operationObject(spec: OperationSpec) {
  const request = spec.request ?? {}
  const parameters = [
    ...parametersOf(request.params, 'path'),
    ...parametersOf(request.query, 'query'),
    ...parametersOf(request.headers, 'header'),
  ]
  const responses: Record<string, unknown> = {}
  for (const [status, response] of Object.entries(spec.responses)) responses[status] = responseObject(response)
  return {
    tags: spec.tags,
    summary: spec.summary,
    ...(spec.security && { security: spec.security }),
    ...(parameters.length > 0 && { parameters }),
    ...(request.body && {
      requestBody: {
        description: request.body.description,
        required: true,
        content: { 'application/json': { schema: jsonSchema(request.body.schema()) } },
      },
    }),
    responses,
  }
}

/** One parameter object per property of an object schema, as a client sends it. */
function parametersOf(schema: (() => z.ZodMiniType) | undefined, where: 'path' | 'query' | 'header') {
  if (!schema) return []
  const object = jsonSchema(schema()) as { properties?: Record<string, JsonSchema>; required?: string[] }
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }))
}

function responseObject(response: ResponseSpec) {
  const content: Record<string, { schema: JsonSchema }> = {}
  for (const [type, { schema }] of Object.entries(response.content ?? {})) {
    content[type] = { schema: jsonSchema(RESPONSE_SCHEMAS[schema]) }
  }
  return {
    description: response.description,
    ...(response.headers && { headers: response.headers }),
    ...(response.content && { content }),
  }
}

/**
 * A `$ref` to a registered schema; any other schema written out, its registered parts referenced.
 * As a client sends it (`io: 'input'`), for answers too: an answer's object does not promise that
 * no field will ever be added (zod's output form says `additionalProperties: false`).
 */
function jsonSchema(schema: z.ZodMiniType): JsonSchema {
  const id = components.get(schema)?.id
  if (id) return { $ref: `${COMPONENT}${id}` }
  const { $schema: _, $defs: __, ...written } = z.toJSONSchema(schema, { metadata: components, io: 'input' })
  return referencingComponents(written) as JsonSchema
}

function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(components, { uri: (id) => `${COMPONENT}${id}`, io: 'input' })
  const written: Record<string, JsonSchema> = {}
  // by name: the order schemas were first built in (which requests came first) must not show
  for (const [id, { $schema: _, $id: __, ...schema }] of Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1)))
    written[id] = schema
  return written
}

/** zod writes a registered schema inside another as `#/$defs/<id>`: the document has it as a component. */
function referencingComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(referencingComponents)
  if (!value || typeof value !== 'object') return value
  const copy: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    copy[key] =
      key === '$ref' && typeof inner === 'string' ? inner.replace('#/$defs/', COMPONENT) : referencingComponents(inner)
  }
  return copy
}

/** Where `npm run docs:openapi` writes the document, and the text it writes. */
export const OPENAPI_JSON_URL = new URL('./openapi.json', import.meta.url)
export const openApiJson = (operations: readonly OperationSpec[]) =>
  `${JSON.stringify(writeOpenApiDocument(operations), null, 2)}\n`
