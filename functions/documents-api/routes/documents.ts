/** The document routes of the HTTP contract (docs/http-api.md). */
import { ForeignKeyError, NotFoundError } from '@serverless-dal/repository'
import { Hono } from 'hono'
import { cacheStatus } from '../http/cache-status.ts'
import { ProblemError } from '../http/problems.ts'
import { documentJson, includes, pageJson, pageOptions, relatedJson } from '../http/representations.ts'
import {
  DocumentPatch,
  DocumentQuery,
  IdempotencyKeyHeader,
  IdParam,
  IfMatchHeader,
  ListQuery,
  NewDocument,
  NewLink,
  RelatedQuery,
} from '../http/schemas.ts'
import { json, operation } from '../openapi/operation.ts'
import type { ApiEnv } from './api-env.ts'
import { problems, requestHash } from './shared.ts'

const etag = (version: number) => ({ etag: `"${version}"` })

const createDocument = operation({
  method: 'post',
  tags: ['documents'],
  path: '/documents',
  summary: 'Create a document (with topics and a summary, in one transaction)',
  request: { body: { schema: NewDocument, description: 'the document' }, headers: IdempotencyKeyHeader },
  responses: { 201: json('Document', 'created'), ...problems(400, 401, 403, 409, 413, 415, 422) },
})

const getDocument = operation({
  method: 'get',
  tags: ['documents'],
  path: '/documents/:id',
  summary: 'A document; ETag is its version, Cache-Status says how it was answered',
  request: { params: IdParam, query: DocumentQuery },
  responses: { 200: json('Document', 'the document'), ...problems(400, 401, 404) },
})

const listDocuments = operation({
  method: 'get',
  tags: ['documents'],
  path: '/documents',
  summary: 'A page of documents, filtered by status, topic or title',
  request: { query: ListQuery },
  responses: { 200: json('DocumentPage', 'a page'), ...problems(400, 401) },
})

const updateDocument = operation({
  method: 'patch',
  tags: ['documents'],
  path: '/documents/:id',
  summary: 'Change a document; If-Match with its ETag is required',
  request: {
    params: IdParam,
    body: { schema: DocumentPatch, description: 'the fields to change' },
    headers: IfMatchHeader,
  },
  responses: {
    200: json('Document', 'the updated document'),
    ...problems(400, 401, 403, 404, 409, 412, 413, 415, 422, 428),
  },
})

const deleteDocument = operation({
  method: 'delete',
  tags: ['documents'],
  path: '/documents/:id',
  summary: 'Delete a document (admin only)',
  request: { params: IdParam },
  responses: { 204: { description: 'deleted' }, ...problems(400, 401, 403, 404) },
})

const linkDocuments = operation({
  method: 'post',
  tags: ['documents'],
  path: '/documents/:id/links',
  summary: 'Link this document to another of the organization',
  request: { params: IdParam, body: { schema: NewLink, description: 'the target' } },
  responses: {
    201: json('Link', 'linked'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
})

const relatedDocuments = operation({
  method: 'get',
  tags: ['documents'],
  path: '/documents/:id/related',
  summary: 'Documents linked to this one, to a depth (cycle-safe, the start excluded), a page at a time',
  request: { params: IdParam, query: RelatedQuery },
  responses: { 200: json('RelatedDocuments', 'related documents, nearest first'), ...problems(400, 401, 404) },
})

/** What `/openapi.json` says of these routes. */
export const documentOperations = [
  createDocument,
  getDocument,
  listDocuments,
  updateDocument,
  deleteDocument,
  linkDocuments,
  relatedDocuments,
]

/** Chained, so the app's type (and `hc<AppType>`) carries every route. */
export const documentRoutes = new Hono<ApiEnv>()
  .post(createDocument.path, createDocument.valid.header, createDocument.valid.json, async (c) => {
    const input = c.req.valid('json')
    const key = c.req.valid('header')['idempotency-key']
    const documents = c.get('repos').documents
    // One statement writes the document, its topics, its summary and (with a key) the key itself.
    const { row, replayed } = key
      ? await documents.createOnce({ key, requestHash: await requestHash(input) }, input)
      : { row: await documents.create(input), replayed: false }
    return c.json(documentJson(row), 201, {
      location: `/documents/${row.id}`,
      ...(replayed && { 'idempotent-replayed': 'true' }),
    })
  })
  .get(getDocument.path, getDocument.valid.param, getDocument.valid.query, async (c) => {
    const { id } = c.req.valid('param')
    const { include } = c.req.valid('query')
    const repos = c.get('repos')
    const document = await repos.documents.findById(id, { include: includes(include) })
    return c.json(documentJson(document), 200, {
      ...etag(document.version),
      ...cacheStatus(repos.cacheAnswers, c.get('cacheTiers')),
    })
  })
  .get(listDocuments.path, listDocuments.valid.query, async (c) => {
    const { status, topicId, q, ...paging } = c.req.valid('query')
    const repos = c.get('repos')
    const filter = {
      ...(status && { status }),
      ...(topicId !== undefined && { topicId }),
      ...(q !== undefined && { title: { contains: q } }),
    }
    const page = await repos.documents.findMany(filter, pageOptions(paging))
    return c.json(pageJson(page), 200, cacheStatus(repos.cacheAnswers, c.get('cacheTiers')))
  })
  .patch(
    updateDocument.path,
    updateDocument.valid.param,
    updateDocument.valid.header,
    updateDocument.valid.json,
    async (c) => {
      const { id } = c.req.valid('param')
      const { topicIds, ...fields } = c.req.valid('json')
      const ifMatch = c.req.valid('header')['if-match']
      if (ifMatch === undefined)
        throw new ProblemError(428, 'send If-Match with the document\'s ETag, e.g. If-Match: "3"')
      // RFC 9110: If-Match compares strongly, and a weak ETag never matches
      if (/^W\//.test(ifMatch.trim()))
        throw new ProblemError(412, 'a weak ETag never matches If-Match: send "3", not W/"3"')
      const expectedVersion = /^"(\d{1,9})"$/.exec(ifMatch.trim())?.[1]
      if (!expectedVersion) throw new ProblemError(400, 'If-Match must be one ETag of this API, e.g. "3"')
      // One statement: the fields, the topics, the version check; a change of topics alone raises the version too.
      const updated = await c
        .get('repos')
        .documents.update(id, fields, { expectedVersion: Number(expectedVersion), ...(topicIds && { topicIds }) })
      return c.json(documentJson(updated), 200, etag(updated.version))
    },
  )
  .delete(deleteDocument.path, deleteDocument.valid.param, async (c) => {
    await c.get('repos').documents.delete(c.req.valid('param').id)
    return c.body(null, 204)
  })
  .post(linkDocuments.path, linkDocuments.valid.param, linkDocuments.valid.json, async (c) => {
    const { id } = c.req.valid('param')
    const { targetId } = c.req.valid('json')
    try {
      await c.get('repos').documents.link(id, targetId)
    } catch (error) {
      // Another organization's document answers exactly like a missing one.
      if (error instanceof ForeignKeyError) throw new NotFoundError(`documents ${targetId} not found`)
      throw error
    }
    return c.json({ sourceId: id, targetId }, 201)
  })
  .get(relatedDocuments.path, relatedDocuments.valid.param, relatedDocuments.valid.query, async (c) => {
    const { id } = c.req.valid('param')
    const { maxDepth, limit, cursor } = c.req.valid('query')
    const repos = c.get('repos')
    const related = await repos.documents.findRelatedDocuments(id, {
      maxDepth: maxDepth ?? 2,
      ...(limit !== undefined && { limit }),
      ...(cursor !== undefined && { cursor }),
    })
    return c.json(
      { items: related.items.map(relatedJson), nextCursor: related.nextCursor },
      200,
      cacheStatus(repos.cacheAnswers, c.get('cacheTiers')),
    )
  })
