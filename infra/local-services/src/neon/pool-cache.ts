/**
 * The `/sql` endpoint's pools, one per user, password and database, at most
 * `max` at once. A new connection string past that closes the least recently
 * used pool instead of being refused, so a run of distinct connection strings
 * costs old pools, never service. A pool still serving requests is closed when
 * the last of them is done: `pg.Pool.end()` would otherwise strand checkouts
 * waiting in its queue. (A pool nobody uses holds no connection for long:
 * node-postgres closes idle ones itself after `idleTimeoutMillis`.)
 */
import type pg from 'pg'

export interface PoolCredentials {
  user: string
  password: string
  database: string
}

export interface PoolLease {
  readonly pool: pg.Pool
  /** Call once the request is done with the pool, whatever the outcome. */
  done(): void
}

export interface PoolCache {
  lease(credentials: PoolCredentials): PoolLease
  /** Ends every pool, evicted ones included. */
  close(): Promise<void>
}

interface Entry {
  pool: pg.Pool
  inFlight: number
  evicted: boolean
  ended?: Promise<void>
}

export function createPoolCache(max: number, open: (credentials: PoolCredentials) => pg.Pool): PoolCache {
  // A Map iterates in insertion order; re-inserting on every use keeps the least recent first.
  const entries = new Map<string, Entry>()
  const finishing = new Set<Entry>()

  function end(entry: Entry): Promise<void> {
    finishing.delete(entry)
    entry.ended ??= entry.pool.end().catch(() => {})
    return entry.ended
  }

  function evictOldest() {
    for (const [key, entry] of entries) {
      if (entries.size < max) return
      entries.delete(key)
      entry.evicted = true
      if (entry.inFlight === 0) void end(entry)
      else finishing.add(entry)
    }
  }

  return {
    lease({ user, password, database }) {
      const key = JSON.stringify([user, password, database])
      let entry = entries.get(key)
      if (entry) {
        entries.delete(key)
      } else {
        evictOldest()
        entry = { pool: open({ user, password, database }), inFlight: 0, evicted: false }
      }
      entries.set(key, entry)
      const leased = entry
      leased.inFlight += 1
      let returned = false
      return {
        pool: leased.pool,
        done() {
          if (returned) return
          returned = true
          leased.inFlight -= 1
          if (leased.evicted && leased.inFlight === 0) void end(leased)
        },
      }
    },
    async close() {
      const all = [...entries.values(), ...finishing]
      entries.clear()
      await Promise.all(all.map(end))
    },
  }
}
