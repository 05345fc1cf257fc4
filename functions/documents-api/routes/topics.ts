/** The topic routes of the HTTP contract. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { cacheStatus } from '../http/cache-status.ts'
import { pageJson, pageOptions, topicJson } from '../http/representations.ts'
import { DocumentPage, IdParam, NewTopic, PageQuery, Topic } from '../http/schemas.ts'
import type { ApiEnv } from './api-env.ts'
import { problems } from './shared.ts'

/** Chained, so the app's type (and `hc<AppType>`) carries every route. */
export const topicRoutes = new OpenAPIHono<ApiEnv>()
  .openapi(
    createRoute({
      method: 'post',
      tags: ['topics'],
      path: '/topics',
      summary: 'Create a topic (editor or admin); names are unique per organization',
      request: {
        body: { content: { 'application/json': { schema: NewTopic } }, description: 'the topic', required: true },
      },
      responses: {
        201: { content: { 'application/json': { schema: Topic } }, description: 'created' },
        ...problems(400, 401, 403, 409, 413, 415),
      },
    }),
    async (c) => {
      const topic = await c.get('repos').topics.create(c.req.valid('json'))
      return c.json(topicJson(topic), 201, { location: `/topics/${topic.id}` })
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      tags: ['topics'],
      path: '/topics/{id}/documents',
      summary: 'A page of the documents that have this topic',
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: { content: { 'application/json': { schema: DocumentPage } }, description: 'a page' },
        ...problems(400, 401, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const repos = c.get('repos')
      const page = await repos.documents.findByTopic(id, pageOptions(c.req.valid('query')))
      return c.json(pageJson(page), 200, cacheStatus(repos.cacheAnswers, c.get('cacheTiers')))
    },
  )
