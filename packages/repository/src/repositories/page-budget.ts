/**
 * A page's byte budget. Rows are kept in page order while the rows before
 * them are under the budget, so a page is at most the budget plus one row
 * (the first row always comes: a row larger than the budget must still be
 * readable, one to a page). Postgres measures each row as the JSON it would
 * become (`row_to_json`), over the page's rows only (limit + 1 at most), and
 * the rows past the budget never leave the database: a page of large rows
 * cannot be tens of megabytes in the response, in the function's memory, or
 * in the cache.
 *
 * ```ts
 * const ordered = query.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit + 1)
 * const { rows, fetched } = await withinByteBudget(db, ordered, [{ column: 'createdAt', direction: 'desc' }, ...], 1 << 20)
 * const more = fetched > Math.min(rows.length, limit)
 * ```
 */
import { type Expression, type QueryExecutorProvider, sql } from 'kysely'
import type { SortSpec } from './definition.ts'

/** A page's default budget: a megabyte of JSON, and one row more. */
export const DEFAULT_MAX_PAGE_BYTES = 1024 * 1024

export interface BudgetedRows<Row> {
  /** The rows within the budget, in page order, without the measuring columns. */
  rows: Row[]
  /** How many rows the page query found (kept or not): more than kept means the page was cut. */
  fetched: number
}

/**
 * The rows of `page` (an ordered, limited query) within `maxBytes`. `order`
 * repeats the page's order by column names as its rows carry them.
 */
export async function withinByteBudget<Row extends object = Record<string, unknown>>(
  db: QueryExecutorProvider,
  page: Expression<unknown>,
  order: readonly SortSpec[],
  maxBytes: number,
): Promise<BudgetedRows<Row>> {
  const orderBy = (alias: string) =>
    sql.join(
      order.map(({ column, direction }) => sql`${sql.ref(`${alias}.${column}`)} ${sql.raw(directionOf(direction))}`),
    )
  // One-word aliases: a CamelCasePlugin leaves them as they are, with or without it.
  const { rows } = await sql<Row & { pagerows?: string | number; bytesbefore?: unknown }>`
    select * from (
      select page.*, count(*) over () as pagerows,
        coalesce(sum(octet_length(row_to_json(page)::text))
          over (order by ${orderBy('page')} rows between unbounded preceding and 1 preceding), 0) as bytesbefore
      from (${page}) as page
    ) as sized
    where sized.bytesbefore < ${maxBytes}
    order by ${orderBy('sized')}`.execute(db)
  const fetched = Number(rows[0]?.pagerows ?? 0)
  for (const row of rows) {
    delete row.pagerows
    delete row.bytesbefore
  }
  return { rows, fetched }
}

function directionOf(direction: string): 'asc' | 'desc' {
  if (direction !== 'asc' && direction !== 'desc') throw new TypeError(`unknown sort direction "${direction}"`)
  return direction
}
