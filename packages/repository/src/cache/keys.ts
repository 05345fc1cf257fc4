/**
 * Cache keys: stable, versioned, scoped to one organization, and bounded.
 *
 *   <namespace>:k2:{<org>}:<repository>:<operation>:<params>
 *
 * The organization is the key's hash tag (`{…}`, the first braces in it):
 * every key of one organization — entries, generation counters, locks, its
 * hot set — lives in one hash slot, so each multi-key command and script the
 * cache sends touches one slot, as Redis Cluster and sharded Upstash require.
 * Only the global hot-tenants set lives elsewhere, and it is written alone.
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

export const KEY_FORMAT = 'k2'
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

/** The organization as the key's hash tag: every key of one organization in one slot. */
const orgTag = (orgId: string) => `{${orgId}}`

export function entryKey(
  orgId: string,
  repository: string,
  operation: string,
  params: unknown,
  prefix = DEFAULT_PREFIX,
): string {
  const canonical = canonicalJson(params ?? {})
  const part = canonical.length <= MAX_PLAIN_PARAMS && PLAIN.test(canonical) ? canonical : `#${hash128(canonical)}`
  return `${prefix}:${orgTag(orgId)}:${repository}:${operation}:${part}`
}

/** The generation counter of one tag of one organization. */
export function generationKey(orgId: string, tag: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${orgTag(orgId)}:gen:${tag}`
}

/** The short lock that lets one isolate load a missing entry while others wait. */
export function lockKey(key: string): string {
  return `${key}:lock`
}

/**
 * The organization's write mark: a counter every invalidation of the
 * organization moves on, in the same script as its tags' generations. A
 * consistency token carries the mark of its write (`consistency-token.ts`).
 */
export function markKey(orgId: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${orgTag(orgId)}:mark`
}

/** A tenant's hot queries (a sorted set: query → decaying score). */
export function hotKey(orgId: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${orgTag(orgId)}:hot`
}

/** Tenants by recent traffic (a sorted set: organization → decaying score). */
export function hotTenantsKey(prefix = DEFAULT_PREFIX): string {
  return `${prefix}:hot-tenants`
}

/** Held by the warm run that is refreshing this entry, so concurrent runs warm it once. */
export function warmLockKey(key: string): string {
  return `${key}:warm`
}
