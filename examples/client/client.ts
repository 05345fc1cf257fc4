/**
 * A typed client of the documents API, with no code generation: `hc` from
 * `hono/client` over the app's own type (`AppType`, a type-only import, so
 * nothing of the server is loaded). Paths, parameters, bodies, headers and
 * each status's answer are checked by the compiler; `typing-checks.ts` holds
 * calls that must not compile.
 *
 * Against `npm start`:
 *
 *   TOKEN=$(npm run --silent token -- --org acme --role editor) \
 *     npx tsx examples/client/client.ts http://localhost:3000
 */
import type { AppType } from '@serverless-dal/documents-api/app-type.ts'
import { hc, type InferRequestType, type InferResponseType } from 'hono/client'

/** The API as `baseUrl` serves it, every request carrying the Bearer token. */
export function documentsClient(baseUrl: string, token: string) {
  return hc<AppType>(baseUrl, { headers: { authorization: `Bearer ${token}` } })
}

export type DocumentsClient = ReturnType<typeof documentsClient>

/** A document as the API answers it: `{ id, title, body, status, version, topicIds, createdAt, updatedAt }`. */
export type Document = InferResponseType<DocumentsClient['documents'][':id']['$get'], 200>

/** What `POST /documents` takes: `{ title, body?, status?, topicIds?, summary? }`. */
export type NewDocument = InferRequestType<DocumentsClient['documents']['$post']>['json']

/** A problem+json answer (RFC 9457) as an error. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(readonly problem: { status: number; title: string; detail: string }) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`)
  }
}

/** Creates a document, then reads it back by the id it was given. */
export async function createAndReadBack(
  api: DocumentsClient,
  input: NewDocument,
): Promise<{ created: Document; read: Document; etag: string | null }> {
  const created = await api.documents.$post({ json: input, header: {} })
  // each status has its own answer type: 201 a document, the others a problem
  if (created.status !== 201) throw new ApiError(await created.json())
  const document = await created.json()

  const read = await api.documents[':id'].$get({ param: { id: document.id }, query: { include: 'summaries' } })
  if (read.status !== 200) throw new ApiError(await read.json())
  return { created: document, read: await read.json(), etag: read.headers.get('etag') }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl = 'http://localhost:3000'] = process.argv.slice(2)
  const token = process.env.TOKEN
  if (!token) throw new Error('set TOKEN: TOKEN=$(npm run --silent token -- --org acme --role editor)')
  const { read, etag } = await createAndReadBack(documentsClient(baseUrl, token), {
    title: 'From the typed client',
    summary: 'hc<AppType>',
  })
  console.log(`document ${read.id}, version ${read.version} (ETag ${etag}): ${read.title}`)
}
