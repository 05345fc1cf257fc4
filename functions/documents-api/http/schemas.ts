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
 *
 * Each schema is built on its first use, not at import (`lazily`): an
 * isolate builds only those of the routes it serves, where building them
 * all cost about 2 ms of every cold start.
 */
import * as z from 'zod/mini'
import english from 'zod/v4/locales/en.js'
import { components } from '../openapi/components.ts'

// Issue messages in English, the only locale the bundles carry.
z.config(english())

/** A schema built on its first use, then kept. */
export function lazily<S>(build: () => S): () => S {
  let built: S | undefined
  return () => {
    built ??= build()
    return built
  }
}

const id = lazily(() => z.coerce.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)))

export const IdParam = lazily(() =>
  z.strictObject({
    id: id()
      .clone()
      .register(components, { examples: [123] }),
  }),
)

export const Status = lazily(() => z.enum(['draft', 'published', 'archived']))

const title = lazily(() => z.string().check(z.minLength(1), z.maxLength(500)))
const body = lazily(() => z.string().check(z.maxLength(1_000_000)))
const topicIds = lazily(() => z.array(id()).check(z.maxLength(100)))

export const NewDocument = lazily(() =>
  z
    .strictObject({
      title: title(),
      body: z.optional(body()),
      status: z.optional(Status()),
      topicIds: z.optional(topicIds()),
      summary: z.optional(z.string().check(z.minLength(1), z.maxLength(100_000))),
    })
    .register(components, { id: 'NewDocument' }),
)

export const DocumentPatch = lazily(() =>
  z
    .strictObject({
      title: z.optional(title()),
      body: z.optional(body()),
      status: z.optional(Status()),
      topicIds: z.optional(topicIds()),
    })
    .check(z.refine((patch) => Object.keys(patch).length > 0, { message: 'a patch needs at least one field' }))
    .register(components, { id: 'DocumentPatch' }),
)

/** `include=summaries,topics`: topics always come with a document; summaries on request. */
const include = lazily(() =>
  z.optional(
    z
      .string()
      .check(
        z.regex(/^(summaries|topics)(,(summaries|topics))*$/, 'include takes summaries and topics, comma-separated'),
      ),
  ),
)

export const DocumentQuery = lazily(() => z.strictObject({ include: include() }))

const limit = lazily(() => z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))))
const cursor = lazily(() => z.optional(z.string().check(z.minLength(1), z.maxLength(2_000))))

export const ListQuery = lazily(() =>
  z.strictObject({
    status: z.optional(Status()),
    topicId: z.optional(id()),
    q: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    limit: limit(),
    cursor: cursor(),
    include: include(),
  }),
)

export const PageQuery = lazily(() => z.strictObject({ limit: limit(), cursor: cursor(), include: include() }))

export const RelatedQuery = lazily(() =>
  z.strictObject({
    maxDepth: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(5))),
    limit: limit(),
    cursor: cursor(),
  }),
)

export const NewLink = lazily(() => z.strictObject({ targetId: id() }).register(components, { id: 'NewLink' }))

export const NewTopic = lazily(() =>
  z
    .strictObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) })
    .register(components, { id: 'NewTopic' }),
)

export const IdempotencyKeyHeader = lazily(() =>
  z.object({
    'idempotency-key': z.optional(
      z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'an Idempotency-Key is 1 to 255 visible ASCII characters')),
    ),
  }),
)

export const IfMatchHeader = lazily(() => z.object({ 'if-match': z.optional(z.string().check(z.maxLength(100))) }))
