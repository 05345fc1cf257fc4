/**
 * The request and response shapes of the documents API, as zod schemas: they
 * validate every request (`validate.ts`) and describe it in `/openapi.json`
 * (`openapi/document.ts`). Objects are strict, so an unknown field or query
 * parameter is a 400 that names it.
 *
 * zod/mini, not the classic `z`: the same checks and the same English
 * messages, but each schema brings only the checks it uses into the
 * bundles; the classic namespace brings all of zod (issue 18).
 */
import * as z from 'zod/mini'
import english from 'zod/v4/locales/en.js'

// Issue messages in English, the only locale the bundles carry.
z.config(english())

/** Schemas named in the OpenAPI document: each is one of `components.schemas`, referenced where it is used. */
export const components = z.registry<{ id?: string; examples?: unknown[] }>()

const int = () => z.number().check(z.int())
const dateTime = () => z.iso.datetime()
const id = z.coerce.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER))

export const IdParam = z.strictObject({ id: id.clone().register(components, { examples: [123] }) })

export const Status = z.enum(['draft', 'published', 'archived'])

const documentFields = {
  id: int(),
  title: z.string(),
  body: z.string(),
  status: Status,
  version: int(),
  topicIds: z.array(int()),
  createdAt: dateTime(),
  updatedAt: dateTime(),
}

export const Document = z
  .object({
    ...documentFields,
    summaries: z.optional(z.array(z.object({ id: int(), text: z.string(), createdAt: dateTime() }))),
  })
  .register(components, { id: 'Document' })

export const DocumentPage = z
  .object({ items: z.array(Document), nextCursor: z.nullable(z.string()) })
  .register(components, { id: 'DocumentPage' })

const title = z.string().check(z.minLength(1), z.maxLength(500))
const body = z.string().check(z.maxLength(1_000_000))
const topicIds = z.array(id).check(z.maxLength(100))

export const NewDocument = z
  .strictObject({
    title,
    body: z.optional(body),
    status: z.optional(Status),
    topicIds: z.optional(topicIds),
    summary: z.optional(z.string().check(z.minLength(1), z.maxLength(100_000))),
  })
  .register(components, { id: 'NewDocument' })

export const DocumentPatch = z
  .strictObject({
    title: z.optional(title),
    body: z.optional(body),
    status: z.optional(Status),
    topicIds: z.optional(topicIds),
  })
  .check(z.refine((patch) => Object.keys(patch).length > 0, { message: 'a patch needs at least one field' }))
  .register(components, { id: 'DocumentPatch' })

/** `include=summaries,topics`: topics always come with a document; summaries on request. */
const include = z.optional(
  z
    .string()
    .check(
      z.regex(/^(summaries|topics)(,(summaries|topics))*$/, 'include takes summaries and topics, comma-separated'),
    ),
)

export const DocumentQuery = z.strictObject({ include })

const limit = z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)))
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(2_000)))

export const ListQuery = z.strictObject({
  status: z.optional(Status),
  topicId: z.optional(id),
  q: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  limit,
  cursor,
  include,
})

export const PageQuery = z.strictObject({ limit, cursor, include })

export const RelatedQuery = z.strictObject({
  maxDepth: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(5))),
  limit,
  cursor,
})

export const Related = z
  .object({
    items: z.array(z.object({ document: z.object(documentFields), depth: int() })),
    nextCursor: z.nullable(z.string()),
  })
  .register(components, { id: 'RelatedDocuments' })

export const NewLink = z.strictObject({ targetId: id }).register(components, { id: 'NewLink' })

export const Link = z.object({ sourceId: int(), targetId: int() })

export const NewTopic = z
  .strictObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) })
  .register(components, { id: 'NewTopic' })

export const Topic = z
  .object({ id: int(), name: z.string(), createdAt: dateTime() })
  .register(components, { id: 'Topic' })

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: int(),
    detail: z.string(),
    requestId: z.optional(z.string()),
  })
  .register(components, { id: 'Problem' })

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['ok', 'unavailable']),
  cache: z.enum(['disabled', 'memory', 'ok', 'unavailable']),
})

export const Pong = z.literal('pong')

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z.optional(
    z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'an Idempotency-Key is 1 to 255 visible ASCII characters')),
  ),
})

export const IfMatchHeader = z.object({ 'if-match': z.optional(z.string().check(z.maxLength(100))) })
