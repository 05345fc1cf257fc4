/**
 * Work that may finish after the response: on Workers it goes to
 * `ctx.waitUntil` (the runtime keeps the request alive for it); elsewhere it is
 * awaited before the handler returns (Lambda freezes the environment after).
 * The entry says which: asking Hono for an execution context it does not have
 * throws, and a throw per request is expensive.
 */
import type { Context } from 'hono'

export type Deferral = 'wait-until' | 'await'

export function waitUntilOf(c: Context, deferral: Deferral): ((work: Promise<unknown>) => void) | undefined {
  if (deferral === 'await') return undefined
  const executionContext = c.executionCtx
  return (work) => executionContext.waitUntil(work)
}

export async function afterResponse(c: Context, deferral: Deferral, work: Promise<unknown>): Promise<void> {
  const waitUntil = waitUntilOf(c, deferral)
  if (waitUntil) waitUntil(work)
  else await work
}
