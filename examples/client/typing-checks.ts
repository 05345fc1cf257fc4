/**
 * What the client's types refuse: each call below is wrong, and
 * `@ts-expect-error` makes `npm run typecheck` fail the day one of them
 * compiles — the day the routes stop carrying their types (an unchained
 * route, a lost `AppType`). Never called.
 */
import type { DocumentsClient } from './client.ts'

export async function wrongCalls(api: DocumentsClient): Promise<void> {
  // @ts-expect-error a title is a string
  await api.documents.$post({ json: { title: 42 }, header: {} })
  // @ts-expect-error a status is draft, published or archived
  await api.documents.$post({ json: { title: 'a', status: 'deleted' }, header: {} })
  // @ts-expect-error the body is required
  await api.documents.$post({ header: {} })
  // @ts-expect-error documents are changed with PATCH, never PUT
  await api.documents[':id'].$put({ param: { id: 1 } })
  // @ts-expect-error there is no such route
  await api.users.$get()
  // @ts-expect-error a topic needs a name
  await api.topics.$post({ json: {} })

  const created = await api.documents.$post({ json: { title: 'a' }, header: {} })
  if (created.status === 201) {
    const document = await created.json()
    // @ts-expect-error a version is a number
    const version: string = document.version
    // @ts-expect-error a document has no owner field
    void document.owner
    void version
  } else {
    // @ts-expect-error anything else is a problem, whose status is a number
    const status: string = (await created.json()).status
    void status
  }
  // @ts-expect-error /ping answers text, not JSON
  const pong: number = await (await api.ping.$get()).text()
  void pong
}
