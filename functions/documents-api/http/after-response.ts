/**
 * Work that may finish after the response: on Workers it goes to
 * `ctx.waitUntil` (the runtime keeps the request alive for it); elsewhere it is
 * awaited before the handler returns (Lambda freezes the environment after).
 */
import type { Context } from 'hono'

export function waitUntilOf(c: Context): ((work: Promise<unknown>) => void) | undefined {
  try {
    const executionContext = c.executionCtx
    return (work) => executionContext.waitUntil(work)
  } catch {
    return undefined // Hono throws when the runtime gave no execution context (Node, Lambda, tests)
  }
}

export async function afterResponse(c: Context, work: Promise<unknown>): Promise<void> {
  const waitUntil = waitUntilOf(c)
  if (waitUntil) waitUntil(work)
  else await work
}
