/**
 * `/openapi.json` as the service answers it: the committed document
 * (`openapi.json`, written by `npm run docs:openapi` from the operations),
 * and, where a rate limit is set, the 429 every operation that takes a token
 * may then answer. The app loads this module on the first request for the
 * document, never on a cold start.
 */
import written from './openapi.json' with { type: 'json' }

type Operations = Record<string, { security?: unknown[]; responses: Record<string, unknown> }>

export function servedDocument(options: { rateLimited: boolean }): object {
  if (!options.rateLimited) return written
  const paths: Record<string, Operations> = {}
  for (const [path, operations] of Object.entries(written.paths as Record<string, Operations>)) {
    paths[path] = {}
    for (const [method, operation] of Object.entries(operations)) {
      // an operation with `security: []` takes no token, and the limit counts only requests with one
      paths[path][method] = operation.security
        ? operation
        : { ...operation, responses: { ...operation.responses, 429: TOO_MANY_REQUESTS } }
    }
  }
  return { ...written, paths }
}

const integer = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } })

const TOO_MANY_REQUESTS = {
  description: 'problem (429): this organization is over its rate limit',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  headers: {
    'Retry-After': integer('seconds until the organization is admitted again'),
    'RateLimit-Limit': integer('requests per window'),
    'RateLimit-Remaining': integer('requests left in this window'),
    'RateLimit-Reset': integer('seconds until the window ends'),
  },
}
