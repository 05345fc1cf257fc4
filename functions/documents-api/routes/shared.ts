/** Pieces the route files share: problem responses for the OpenAPI document, request hashing. */
/** A problem response in the OpenAPI document. */
type ProblemResponse = { content: { 'application/problem+json': { schema: 'Problem' } }; description: string }

/** OpenAPI entries for the problem statuses a route can answer, typed by status so a typed client sees them. */
export function problems<const S extends number>(...statuses: S[]): Record<S, ProblemResponse> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { content: { 'application/problem+json': { schema: 'Problem' } }, description: `problem (${status})` },
    ]),
  ) as Record<S, ProblemResponse>
}

/** SHA-256 of the request's canonical JSON: an Idempotency-Key repeated with another request is refused. */
export async function requestHash(input: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonical(input))
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
