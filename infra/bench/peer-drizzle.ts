/**
 * The peer: what a user would pick instead — Drizzle ORM over the same Neon
 * serverless driver, with Drizzle's own Upstash query cache (`$withCache()`),
 * doing the same find-by-id and list against the same Postgres and bridge.
 */
import { Pool } from '@neondatabase/serverless'
import { and, desc, eq } from 'drizzle-orm'
import { upstashCache } from 'drizzle-orm/cache/upstash'
import { drizzle } from 'drizzle-orm/neon-serverless'
import { bigint, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

const documents = pgTable('documents', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  organizationId: text('organization_id').notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  status: text('status').notNull(),
  version: integer('version').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
})

/** Drizzle on a pool of its own; the Neon driver's proxy settings are the process's (set by ours first). */
export function drizzlePeer(connectionString: string, upstash: { url: string; token: string }) {
  const pool = new Pool({ connectionString, max: 5 })
  pool.on('error', () => {})
  // Statements that reach the database (Drizzle's logger also logs queries its cache answers).
  let queries = 0
  const query = pool.query.bind(pool)
  pool.query = ((...args: Parameters<typeof pool.query>) => {
    queries += 1
    return query(...args)
  }) as typeof pool.query
  let hexpireFailures = 0
  /**
   * Drizzle's cache stores with HSET then HEXPIRE in one pipeline; Redis 7.0
   * (this machine's) has no HEXPIRE, so a miss's store rejects the query after
   * the HSET landed. Later calls hit that entry. The failure is counted and
   * reported, not hidden.
   */
  const tolerateHexpire = async <T>(query: PromiseLike<T>): Promise<T | undefined> => {
    try {
      return await query
    } catch (error) {
      if (!/hexpire/i.test((error as Error).message)) throw error
      hexpireFailures += 1
      return undefined
    }
  }
  const db = drizzle({
    client: pool,
    cache: upstashCache({ url: upstash.url, token: upstash.token, global: false, config: { ex: 60 } }),
  })
  return {
    queries: () => queries,
    hexpireFailures: () => hexpireFailures,
    findById: (orgId: string, id: number, cached = true) => {
      const query = db
        .select()
        .from(documents)
        .where(and(eq(documents.organizationId, orgId), eq(documents.id, id)))
      return cached ? tolerateHexpire(query.$withCache()) : query
    },
    list: (orgId: string) =>
      tolerateHexpire(
        db
          .select()
          .from(documents)
          .where(eq(documents.organizationId, orgId))
          .orderBy(desc(documents.createdAt), desc(documents.id))
          .limit(20)
          .$withCache(),
      ),
    close: () => pool.end(),
    /**
     * Drizzle's keys are not namespaced, and on Redis 7.0 they never expire:
     * clear them before and after a run so no run reads another's entries.
     */
    async clearCache(redis: { keys(pattern: string): Promise<string[]>; del(...keys: string[]): Promise<number> }) {
      for (const pattern of ['__CT__*', '__CTS__*', '__tagsMap__', '__nonAutoInvalidate__']) {
        const keys = await redis.keys(pattern)
        if (keys.length) await redis.del(...keys)
      }
    },
  }
}
