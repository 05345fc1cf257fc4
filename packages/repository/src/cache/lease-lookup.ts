/**
 * The lookup with a lease (memcache's leases, "Scaling Memcache at Facebook",
 * NSDI '13): one script reads the entry and its tags' generations, as an MGET
 * would, and when that entry cannot answer — absent, obsolete, past its TTL,
 * or unreadable — takes the key's short lease in the same request. The
 * caller that holds it loads and stores (the store releases it); the others
 * wait for the entry (`lease-wait.ts`). So a miss costs no extra round trip
 * for the protection, and N isolates missing one key make one query.
 *
 * The script reads only the entry's stamp, which `encodeEntry` writes first
 * (`c1|{"g":[…],"t":…,"l":…,`), never its value: a large entry costs Redis
 * no decoding. Anything it cannot read is treated as unable to answer, so
 * the worst a misread does is take a lease the caller then gives back.
 *
 * KEYS: the entry, its tags' generation counters, [the write mark], the lease.
 * ARGV: how many counters, the caller's clock (ms), the lease's token and
 * TTL (ms), and `1` to take the lease whatever the entry (the warm job).
 * Answers the MGET's values followed by the lease's state — 0 the entry can
 * answer (no lease asked for), 1 the caller now holds the lease, 2 another
 * does, 3 the last holder could not store the entry (too large for Redis:
 * `UNSTORABLE`), so each reader loads its own — and, when another holds it,
 * the milliseconds its lease has left.
 */
export const LEASE_LOOKUP = `local counters = tonumber(ARGV[1])
local values = redis.call('mget', unpack(KEYS, 1, #KEYS - 1))
local take = ARGV[5] == '1'
if not take then
  take = true
  local text = values[1]
  if text then
    local g, t, l = string.match(text, '^c1|{"g":%[(.-)%],"t":(%d+),"l":(%d+)[,}]')
    if g then
      local current = {}
      for i = 1, counters do current[i] = '"' .. (values[i + 1] or '0') .. '"' end
      take = g ~= table.concat(current, ',') or tonumber(ARGV[2]) - tonumber(t) >= tonumber(l)
    end
  end
end
local lease, left = 0, 0
if take then
  if redis.call('set', KEYS[#KEYS], ARGV[3], 'NX', 'PX', ARGV[4]) then
    lease = 1
  elseif redis.call('get', KEYS[#KEYS]) == 'unstorable' then
    lease = 3
  else
    lease, left = 2, redis.call('pttl', KEYS[#KEYS])
  end
end
values[#values + 1] = lease
values[#values + 1] = left
return values`

/** A lease to ask for with a lookup: the key it guards, the holder's token, its TTL. */
export interface LeaseRequest {
  key: string
  token: string
  ttlMs: number
  /** Take it even when the entry could answer (the warm job refreshes entries that still can). */
  force?: boolean
}

/** The lease as the lookup left it (`LEASE_LOOKUP`'s state). */
export type LeaseState = 'unneeded' | 'taken' | 'held' | 'unstorable'

export const LEASE_STATES: readonly LeaseState[] = ['unneeded', 'taken', 'held', 'unstorable']

/**
 * The holder's lease becomes a mark that the entry cannot be stored (larger than
 * `maxEntryBytes`), for the rest of its TTL: readers then load at once, each its own, instead
 * of taking the lease one after another and waiting for a store that never comes.
 * KEYS: the lease. ARGV: the holder's token.
 */
export const MARK_UNSTORABLE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('set', KEYS[1], 'unstorable', 'KEEPTTL')
end
return 0`
