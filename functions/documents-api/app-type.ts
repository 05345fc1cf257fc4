/**
 * The documents API's type, for a typed client: `hc<AppType>(baseUrl)` from
 * `hono/client` knows every route, its parameters, body, headers and answers.
 * A type only: importing it loads nothing.
 *
 * ```ts
 * import type { AppType } from '@serverless-dal/documents-api/app-type.ts'
 * import { hc } from 'hono/client'
 *
 * const api = hc<AppType>('http://localhost:3000', { headers: { authorization: `Bearer ${token}` } })
 * const created = await api.documents.$post({ json: { title: 'Hello' }, header: {} })
 * if (created.status === 201) console.log((await created.json()).version) // 1
 * ```
 */
import type { createApp } from './app.ts'

export type AppType = ReturnType<typeof createApp>
