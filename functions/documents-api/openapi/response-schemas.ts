/**
 * What the documents API answers, as zod schemas: only `/openapi.json`'s
 * writer (`document.ts`) loads them, so no isolate builds them. Operations
 * name them (`json('Document', …)`), as the document's `$ref`s do.
 */
import * as z from 'zod/mini'
import { Status } from '../http/schemas.ts'
import { components } from './components.ts'

const int = () => z.number().check(z.int())
const dateTime = () => z.iso.datetime()

const documentFields = {
  id: int(),
  title: z.string(),
  body: z.string(),
  status: Status(),
  version: int(),
  topicIds: z.array(int()),
  createdAt: dateTime(),
  updatedAt: dateTime(),
}

const Document = z
  .object({
    ...documentFields,
    summaries: z.optional(z.array(z.object({ id: int(), text: z.string(), createdAt: dateTime() }))),
  })
  .register(components, { id: 'Document' })

const DocumentPage = z
  .object({ items: z.array(Document), nextCursor: z.nullable(z.string()) })
  .register(components, { id: 'DocumentPage' })

const Related = z
  .object({
    items: z.array(z.object({ document: z.object(documentFields), depth: int() })),
    nextCursor: z.nullable(z.string()),
  })
  .register(components, { id: 'RelatedDocuments' })

const Link = z.object({ sourceId: int(), targetId: int() }).register(components, { id: 'Link' })

const Topic = z.object({ id: int(), name: z.string(), createdAt: dateTime() }).register(components, { id: 'Topic' })

const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: int(),
    detail: z.string(),
    requestId: z.optional(z.string()),
  })
  .register(components, { id: 'Problem' })

const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    db: z.enum(['ok', 'unavailable']),
    cache: z.enum(['disabled', 'memory', 'ok', 'unavailable']),
  })
  .register(components, { id: 'Health' })

const Pong = z.literal('pong').register(components, { id: 'Pong' })

/** The answers operations may name, by their component names. */
export const RESPONSE_SCHEMAS = {
  Document,
  DocumentPage,
  RelatedDocuments: Related,
  Link,
  Topic,
  Problem,
  Health,
  Pong,
}

export type ResponseName = keyof typeof RESPONSE_SCHEMAS
