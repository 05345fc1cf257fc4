/**
 * The request and response shapes of the documents API, as zod schemas: they
 * validate every request and generate `/openapi.json`. Objects are strict, so
 * an unknown field or query parameter is a 400 that names it.
 */
import { z } from '@hono/zod-openapi'

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)
export const IdParam = z.strictObject({ id: id.openapi({ param: { name: 'id', in: 'path' }, example: 123 }) })

export const Status = z.enum(['draft', 'published', 'archived'])

export const Document = z
  .object({
    id: z.number().int(),
    title: z.string(),
    body: z.string(),
    status: Status,
    version: z.number().int(),
    topicIds: z.array(z.number().int()),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    summaries: z
      .array(z.object({ id: z.number().int(), text: z.string(), createdAt: z.string().datetime() }))
      .optional(),
  })
  .openapi('Document')

export const DocumentPage = z
  .object({ items: z.array(Document), nextCursor: z.string().nullable() })
  .openapi('DocumentPage')

const title = z.string().min(1).max(500)
const body = z.string().max(1_000_000)
const topicIds = z.array(id).max(100)

export const NewDocument = z
  .strictObject({
    title,
    body: body.optional(),
    status: Status.optional(),
    topicIds: topicIds.optional(),
    summary: z.string().min(1).max(100_000).optional(),
  })
  .openapi('NewDocument')

export const DocumentPatch = z
  .strictObject({
    title: title.optional(),
    body: body.optional(),
    status: Status.optional(),
    topicIds: topicIds.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'a patch needs at least one field' })
  .openapi('DocumentPatch')

/** `include=summaries,topics`: topics always come with a document; summaries on request. */
const include = z
  .string()
  .regex(/^(summaries|topics)(,(summaries|topics))*$/, 'include takes summaries and topics, comma-separated')
  .optional()

export const DocumentQuery = z.strictObject({ include })

const limit = z.coerce.number().int().min(1).max(100).optional()
const cursor = z.string().min(1).max(2_000).optional()

export const ListQuery = z.strictObject({
  status: Status.optional(),
  topicId: id.optional(),
  q: z.string().min(1).max(200).optional(),
  limit,
  cursor,
  include,
})

export const PageQuery = z.strictObject({ limit, cursor, include })

export const RelatedQuery = z.strictObject({
  maxDepth: z.coerce.number().int().min(1).max(5).optional(),
  limit,
  cursor,
})

export const Related = z
  .object({
    items: z.array(z.object({ document: Document.omit({ summaries: true }), depth: z.number().int() })),
    nextCursor: z.string().nullable(),
  })
  .openapi('RelatedDocuments')

export const NewLink = z.strictObject({ targetId: id }).openapi('NewLink')

export const NewTopic = z.strictObject({ name: z.string().trim().min(1).max(200) }).openapi('NewTopic')

export const Topic = z
  .object({ id: z.number().int(), name: z.string(), createdAt: z.string().datetime() })
  .openapi('Topic')

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
  })
  .openapi('Problem')

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['ok', 'unavailable']),
  cache: z.enum(['disabled', 'memory', 'ok', 'unavailable']),
})

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'an Idempotency-Key is 1 to 255 visible ASCII characters')
    .optional(),
})

export const IfMatchHeader = z.object({ 'if-match': z.string().max(100).optional() })
