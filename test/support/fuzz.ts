/**
 * Random requests for the documents API: methods, paths around a real
 * document, queries, headers and bodies — valid, invalid, huge, hostile.
 * `fuzzRequests` sends `runs` of them and fails on the first 5xx.
 */
import fc from 'fast-check'
import type { Api } from './api.ts'

/** Strings that have broken services before, mixed with arbitrary ones. */
export const hostileText = fc.oneof(
  fc.string(),
  fc.constantFrom("' or 1=1 --", '%00', '../../etc/passwd', `\${jndi:x}`, '\u0000', '😀', '{{7*7}}', '%', '_', '\\'),
)

export function fuzzRequest(documentId: number) {
  const value = fc.oneof(hostileText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
  const json = fc.oneof(
    fc.dictionary(fc.constantFrom('title', 'body', 'status', 'topicIds', 'summary', 'targetId', 'name', 'x'), value),
    fc.jsonValue(),
  )
  const segment = fc.oneof(
    fc.constant(String(documentId)),
    fc.constantFrom('0', '-1', '1e3', 'abc', '99999999999999999999', '%2e%2e', ''),
    hostileText.map(encodeURIComponent),
  )
  const templates = [
    '/documents',
    '/topics',
    '/documents/{}',
    '/documents/{}/links',
    '/documents/{}/related',
    '/topics/{}/documents',
  ]
  const path = fc.tuple(fc.constantFrom(...templates), segment).map(([template, id]) => template.replace('{}', id))
  const query = fc
    .dictionary(fc.constantFrom('status', 'topicId', 'q', 'limit', 'cursor', 'include', 'maxDepth', 'zzz'), hostileText)
    .map((params) => new URLSearchParams(params).toString())
  const headers = fc
    .record(
      {
        'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''),
        'if-match': fc.oneof(fc.constantFrom('"1"', '*', 'W/"2"', '"x"'), fc.string({ maxLength: 20 })),
        'idempotency-key': fc.string({ maxLength: 300 }),
      },
      { requiredKeys: [] },
    )
    // header values must be sendable at all
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v))))
  const body = fc.oneof(
    json.map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{"title": ', '[[[[[[', '{"title":"x"}'.repeat(2), `{"title":"${'x'.repeat(2_000_000)}"}`),
  )
  return fc.record({ method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT'), path, query, headers, body })
}

/** Sends `runs` random requests as `org`'s editor; throws on the first 5xx. Returns how many were sent. */
export async function fuzzRequests(api: Api, org: string, runs: number, seed: number): Promise<number> {
  const editor = await api.client(org, 'editor')
  const created = (await (await editor.post('/documents', { title: 'fuzz target' })).json()) as { id: number }
  let sent = 0
  await fc.assert(
    fc.asyncProperty(fuzzRequest(created.id), async ({ method, path, query, headers, body }) => {
      const target = `${path}${query ? `?${query}` : ''}`
      const response = await editor.send(
        method,
        target,
        method === 'GET' || method === 'DELETE' ? undefined : body,
        headers,
      )
      sent += 1
      if (response.status >= 500) throw new Error(`${method} ${target} → ${response.status}: ${await response.text()}`)
      await response.arrayBuffer()
    }),
    { numRuns: runs, seed },
  )
  return sent
}
