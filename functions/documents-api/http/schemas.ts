/**
 * What the documents API takes, as zod schemas: they validate every request
 * (`validate.ts`) and describe it in `/openapi.json` (`openapi/document.ts`).
 * Objects are strict, so an unknown field or query parameter is a 400 that
 * names it. What it answers is described in `openapi/response-schemas.ts`,
 * which only the document's writer loads: no isolate builds those.
 *
 * zod/mini, not the classic `z`: the same checks and the same English
 * messages, but each schema brings only the checks it uses into the
 * bundles; the classic namespace brings all of zod (issue 18).
 */
import * as z from 'zod/mini'
import english from 'zod/v4/locales/en.js'
import { components } from '../openapi/components.ts'

// Issue messages in English, the only locale the bundles carry.
z.config(english())

const id = z.coerce.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER))

export const IdParam = z.strictObject({ id: id.clone().register(components, { examples: [123] }) })

export const Status = z.enum(['draft', 'published', 'archived'])

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

export const NewLink = z.strictObject({ targetId: id }).register(components, { id: 'NewLink' })

export const NewTopic = z
  .strictObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) })
  .register(components, { id: 'NewTopic' })

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z.optional(
    z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'an Idempotency-Key is 1 to 255 visible ASCII characters')),
  ),
})

export const IfMatchHeader = z.object({ 'if-match': z.optional(z.string().check(z.maxLength(100))) })
