/**
 * The documents API in-process for the HTTP suites: the same service the
 * entries build (`createService`), over a repository backend (PGlite, or
 * Postgres through the Neon driver) and, where given, Redis through the
 * Upstash bridge. `client(org, role)` signs a token and sends requests.
 */
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import { createService, type ServiceEnv } from '@serverless-dal/documents-api/service.ts'
import type { DatabaseLifetime, RedisLike, Role, Runtime } from '@serverless-dal/repository'
import { expect } from 'vitest'

export const API_JWT_SECRET = 'api-tests-jwt-secret-0123456789'

export type Api = ReturnType<typeof apiOver>

export function apiOver(
  backend: { lifetime: DatabaseLifetime },
  redis?: RedisLike,
  env: ServiceEnv = {},
  runtime: Runtime = 'node',
) {
  const service = createService({
    env: { POWERTOOLS_METRICS_DISABLED: 'true', CACHE_NAMESPACE: `api-${Math.random().toString(36).slice(2)}`, ...env },
    runtime,
    databases: backend.lifetime,
    jwtSecret: API_JWT_SECRET,
    ...(redis && { redis }),
  })
  const request = (path: string, init: RequestInit = {}) => service.app.request(path, init)
  return {
    service,
    request,
    /** Requests as `org` with `role`: JSON bodies are serialized, the token added. */
    async client(org: string, role: Role = 'editor') {
      const token = await signToken(API_JWT_SECRET, { org, role, sub: `${org}-${role}` })
      const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
        request(path, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        })
      return {
        token,
        get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
        post: (path: string, body: unknown, headers?: Record<string, string>) => send('POST', path, body, headers),
        patch: (path: string, body: unknown, headers?: Record<string, string>) => send('PATCH', path, body, headers),
        delete: (path: string) => send('DELETE', path),
        send,
      }
    },
  }
}

export interface DocumentBody {
  id: number
  title: string
  body: string
  status: string
  version: number
  topicIds: number[]
  createdAt: string
  updatedAt: string
  summaries?: Array<{ id: number; text: string; createdAt: string }>
}

/** A problem+json answer: the status, the content type, and the body's fields. */
export async function problemOf(response: Response): Promise<{ status: number; detail: string; type: string }> {
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as { status: number; detail: string; type: string; title: string }
  expect(body.status).toBe(response.status)
  expect(typeof body.title).toBe('string')
  return body
}
