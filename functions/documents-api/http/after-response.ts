/**
 * Where a request's leftover work goes — the end of its request scope (the
 * cache's deferred store, on Workers its database), its metrics line — so the
 * response never waits for it:
 *
 * - Workers: `ctx.waitUntil`, which keeps the request alive for it;
 * - Node: a process-wide tracker (`BackgroundWork`): the work runs after the
 *   response is written, and a shutdown waits for it;
 * - Lambda: nowhere — the environment freezes when the handler returns, so
 *   the work is awaited before it does (bounded by the cache's Redis timeout).
 *
 * The entry says which: asking Hono for an execution context it does not
 * have throws, and a throw per request is expensive.
 */
import type { BackgroundWork } from '@serverless-dal/repository'
import type { Context } from 'hono'

export type Deferral = (c: Context) => ((work: Promise<unknown>) => void) | undefined

export const awaitBeforeReturning: Deferral = () => undefined

export const viaWaitUntil: Deferral = (c) => {
  const executionContext = c.executionCtx
  return (work) => executionContext.waitUntil(work)
}

export const inBackground =
  (background: BackgroundWork): Deferral =>
  () =>
    background.add

export async function afterResponse(c: Context, deferral: Deferral, work: Promise<unknown>): Promise<void> {
  const defer = deferral(c)
  if (defer) defer(work)
  else await work
}
