/**
 * Consistency tokens: read-your-writes across isolates. A write's response
 * carries the token of its invalidation; a read that sends it back never
 * answers with data older than that write — an isolate's memory entry
 * serves it only if Redis vouched for the entry at that write's mark or
 * later; otherwise Redis (whose generations the write bumped before it
 * answered) or the database does.
 *
 *   c1.<organization>.<mark>   the organization's write mark after the write
 *   c1.<organization>.db       no shared tier could vouch: read from the database
 *
 * Not secret, and safe to forge: a token can only make a read skip a cache
 * tier, never return another tenant's data or an older one. A token of
 * another organization, or one that does not parse, is ignored.
 */
import type { WriteMark } from './cache/port.ts'

const VERSION = 'c1'
const MAX_LENGTH = 200
const MARK = /^\d{1,20}$/

export function formatToken(orgId: string, mark: WriteMark): string {
  return `${VERSION}.${orgId}.${mark === 'database' ? 'db' : mark}`
}

/** The write mark a token asks a read of `orgId` to see; undefined when it asks nothing of it. */
export function parseToken(token: string | undefined, orgId: string): WriteMark | undefined {
  if (typeof token !== 'string' || token.length > MAX_LENGTH) return undefined
  const [version, org, mark, ...rest] = token.split('.')
  if (version !== VERSION || org !== orgId || mark === undefined || rest.length > 0) return undefined
  if (mark === 'db') return 'database'
  return MARK.test(mark) ? Number(mark) : undefined
}
