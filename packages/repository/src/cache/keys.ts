/**
 * Cache keys: stable, versioned, scoped to one organization, and bounded.
 *
 *   dal:k1:<org>:<repository>:<operation>:<params>
 *
 * `<params>` is the canonical JSON of the call's parameters (key order and
 * undefined-vs-absent do not matter), used as is when short and safe, and
 * hashed otherwise — user text never makes a key unbounded. Bumping
 * `KEY_FORMAT` retires every entry at once after a format change.
 */
import { canonicalJson } from '../repositories/canonical-json.ts'
import { hash128 } from './hash.ts'

export const KEY_FORMAT = 'k1'
const PREFIX = `dal:${KEY_FORMAT}`
const MAX_PLAIN_PARAMS = 64
const PLAIN = /^[\w{}[\]":,.-]*$/

export function entryKey(orgId: string, repository: string, operation: string, params: unknown): string {
  const canonical = canonicalJson(params ?? {})
  const part = canonical.length <= MAX_PLAIN_PARAMS && PLAIN.test(canonical) ? canonical : `#${hash128(canonical)}`
  return `${PREFIX}:${orgId}:${repository}:${operation}:${part}`
}

/** The generation counter of one tag of one organization. */
export function generationKey(orgId: string, tag: string): string {
  return `${PREFIX}:${orgId}:gen:${tag}`
}

/** The short lock that lets one isolate load a missing entry while others wait. */
export function lockKey(key: string): string {
  return `${key}:lock`
}
