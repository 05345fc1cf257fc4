/**
 * Cache keys: stable, versioned, scoped to one organization, and bounded.
 *
 *   <namespace>:k1:<org>:<repository>:<operation>:<params>
 *
 * The namespace (default `dal`) separates deployments or databases that
 * share one Redis: the same organization id in two of them never meets.
 * `<params>` is the canonical JSON of the call's parameters (key order and
 * undefined-vs-absent do not matter), used as is when short and safe, and
 * hashed otherwise — user text never makes a key unbounded. Bumping
 * `KEY_FORMAT` retires every entry at once after a format change.
 */
import { canonicalJson } from '../canonical-json.ts'
import { hash128 } from './hash.ts'

export const KEY_FORMAT = 'k1'
export const DEFAULT_NAMESPACE = 'dal'
const NAMESPACE = /^[\w.-]{1,64}$/
const MAX_PLAIN_PARAMS = 64
const PLAIN = /^[\w{}[\]":,.-]*$/

/** The key prefix of a namespace; refuses one that could break the key's shape. */
export function keyPrefix(namespace = DEFAULT_NAMESPACE): string {
  if (!NAMESPACE.test(namespace)) throw new Error('a cache namespace is 1–64 characters of A-Z, a-z, 0-9, _, . or -')
  return `${namespace}:${KEY_FORMAT}`
}

const DEFAULT_PREFIX = keyPrefix()

export function entryKey(
  orgId: string,
  repository: string,
  operation: string,
  params: unknown,
  prefix = DEFAULT_PREFIX,
): string {
  const canonical = canonicalJson(params ?? {})
  const part = canonical.length <= MAX_PLAIN_PARAMS && PLAIN.test(canonical) ? canonical : `#${hash128(canonical)}`
  return `${prefix}:${orgId}:${repository}:${operation}:${part}`
}

/** The generation counter of one tag of one organization. */
export function generationKey(orgId: string, tag: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${orgId}:gen:${tag}`
}

/** The short lock that lets one isolate load a missing entry while others wait. */
export function lockKey(key: string): string {
  return `${key}:lock`
}

/** A tenant's hot queries (a sorted set: query → decaying score). */
export function hotKey(orgId: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${orgId}:hot`
}

/** Tenants by recent traffic (a sorted set: organization → decaying score). */
export function hotTenantsKey(prefix = DEFAULT_PREFIX): string {
  return `${prefix}:hot-tenants`
}

/** Held by the warm run that is refreshing this entry, so concurrent runs warm it once. */
export function warmLockKey(key: string): string {
  return `${key}:warm`
}
