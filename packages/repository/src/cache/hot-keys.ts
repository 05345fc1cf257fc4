/**
 * Which queries are hot, per tenant, for the warm job. A sample of reads (one
 * in `sampleEvery`) adds 1 to the query's score in the tenant's sorted set and
 * to the tenant's score, in two background requests (the two sets live in
 * different hash slots: see `keys.ts`). The warm job halves every score it
 * reads and drops what fell below a floor, so yesterday's hot keys fade; each
 * tenant's set is trimmed to `maxPerTenant`.
 *
 * A query is remembered as `{ r: repository, o: operation, p: params }` — the
 * organization is the set's, never the entry's, so a replay always runs in
 * the tenant's own scope.
 */
import { hotKey, hotTenantsKey } from './keys.ts'
import type { RedisTier } from './redis-tier.ts'

export interface HotKeyOptions {
  /** Record one read in this many. @default 10 */
  sampleEvery: number
  /** Queries kept per tenant. @default 200 */
  maxPerTenant: number
}

export interface HotQuery {
  repository: string
  operation: string
  params: unknown
  score: number
}

/** One more read of a query in the tenant's set, trimmed to the hottest: the tenant's slot only. */
const RECORD_QUERY = `redis.call('zincrby', KEYS[1], 1, ARGV[1])
if redis.call('zcard', KEYS[1]) > 2 * tonumber(ARGV[2]) then
  redis.call('zremrangebyrank', KEYS[1], 0, -tonumber(ARGV[2]) - 1)
end
redis.call('pexpire', KEYS[1], ARGV[3])
return 1`

/** One more read of the tenant in the global set (a slot of its own, so a request of its own). */
const RECORD_TENANT = `redis.call('zincrby', KEYS[1], 1, ARGV[1])
redis.call('pexpire', KEYS[1], ARGV[2])
return 1`

/** The top members with scores, then every score halved and faded ones dropped. */
const TAKE_AND_DECAY = `local top = redis.call('zrevrange', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'withscores')
redis.call('zunionstore', KEYS[1], 1, KEYS[1], 'weights', 0.5)
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[2])
return top`

const FADED = '0.2'
// Not JSON, so a client that parses JSON replies (@upstash/redis does) hands members back as text.
const MARKER = 'q1|'
const FORGET_AFTER_MS = String(7 * 24 * 3600_000)
const MAX_DESCRIPTOR = 2_000

export class HotKeys {
  readonly #redis: RedisTier
  readonly #options: HotKeyOptions
  readonly #prefix: string
  #reads = 0

  constructor(redis: RedisTier, prefix: string, options: Partial<HotKeyOptions> = {}) {
    this.#redis = redis
    this.#prefix = prefix
    this.#options = { sampleEvery: 10, maxPerTenant: 200, ...options }
  }

  /** Counts a read; returns the background request when this read is in the sample. */
  record(orgId: string, repository: string, operation: string, params: unknown): Promise<unknown> | undefined {
    this.#reads += 1
    if (this.#reads % this.#options.sampleEvery !== 0) return undefined
    const descriptor = MARKER + JSON.stringify({ r: repository, o: operation, p: params ?? {} })
    if (descriptor.length > MAX_DESCRIPTOR) return undefined
    return Promise.all([
      this.#redis.script(
        'hot',
        RECORD_QUERY,
        [hotKey(orgId, this.#prefix)],
        [descriptor, String(this.#options.maxPerTenant), FORGET_AFTER_MS],
      ),
      this.#redis.script('hot-tenant', RECORD_TENANT, [hotTenantsKey(this.#prefix)], [orgId, FORGET_AFTER_MS]),
    ])
  }

  /** The hottest tenants, hottest first (and their scores decay); undefined when Redis is unavailable. */
  async tenants(limit: number): Promise<string[] | undefined> {
    const top = await this.#take(hotTenantsKey(this.#prefix), limit)
    return top?.map(([member]) => member)
  }

  /** A tenant's hottest queries, hottest first (and their scores decay). */
  async hottest(orgId: string, limit: number): Promise<HotQuery[] | undefined> {
    const top = await this.#take(hotKey(orgId, this.#prefix), limit)
    if (!top) return undefined
    const queries: HotQuery[] = []
    for (const [member, score] of top) {
      if (!member.startsWith(MARKER)) continue // written by another format: it fades
      try {
        const { r, o, p } = JSON.parse(member.slice(MARKER.length)) as { r: unknown; o: unknown; p: unknown }
        if (typeof r === 'string' && typeof o === 'string')
          queries.push({ repository: r, operation: o, params: p, score })
      } catch {
        // unreadable: ignored, and it fades
      }
    }
    return queries
  }

  async #take(key: string, limit: number): Promise<Array<[string, number]> | undefined> {
    const flat = await this.#redis.script('hot-take', TAKE_AND_DECAY, [key], [String(limit), FADED])
    if (!Array.isArray(flat)) return undefined
    const pairs: Array<[string, number]> = []
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([String(flat[i]), Number(flat[i + 1])])
    return pairs
  }
}
