/** The topic routes of the HTTP contract. */
import { Hono } from 'hono'
import { cacheStatus } from '../http/cache-status.ts'
import { pageJson, pageOptions, topicJson } from '../http/representations.ts'
import { IdParam, NewTopic, PageQuery } from '../http/schemas.ts'
import { json, operation } from '../openapi/operation.ts'
import type { ApiEnv } from './api-env.ts'
import { problems } from './shared.ts'

const createTopic = operation({
  method: 'post',
  tags: ['topics'],
  path: '/topics',
  summary: 'Create a topic (editor or admin); names are unique per organization',
  request: { body: { schema: NewTopic, description: 'the topic' } },
  responses: { 201: json('Topic', 'created'), ...problems(400, 401, 403, 409, 413, 415) },
})

const topicDocuments = operation({
  method: 'get',
  tags: ['topics'],
  path: '/topics/:id/documents',
  summary: 'A page of the documents that have this topic',
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json('DocumentPage', 'a page'), ...problems(400, 401, 404) },
})

/** What `/openapi.json` says of these routes. */
export const topicOperations = [createTopic, topicDocuments]

/** Chained, so the app's type (and `hc<AppType>`) carries every route. */
export const topicRoutes = new Hono<ApiEnv>()
  .post(createTopic.path, createTopic.valid.json, async (c) => {
    const topic = await c.get('repos').topics.create(c.req.valid('json'))
    return c.json(topicJson(topic), 201, { location: `/topics/${topic.id}` })
  })
  .get(topicDocuments.path, topicDocuments.valid.param, topicDocuments.valid.query, async (c) => {
    const { id } = c.req.valid('param')
    const repos = c.get('repos')
    const page = await repos.documents.findByTopic(id, pageOptions(c.req.valid('query')))
    return c.json(pageJson(page), 200, cacheStatus(repos.cacheAnswers, c.get('cacheTiers')))
  })
