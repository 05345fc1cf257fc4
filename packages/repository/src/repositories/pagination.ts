/**
 * Keyset pagination: the filter, the position after the cursor's row, a
 * total order (the sort column, then id), and one row more than the limit to
 * know whether a next page exists. Inserts while paging cannot shift a page,
 * so nothing is seen twice or skipped. A page also ends at the definition's
 * byte budget (`page-budget.ts`); its cursor then continues after the last
 * row it kept.
 */
import { expressionBuilder } from 'kysely'
import { RepositoryError, ValidationError } from '../errors.ts'
import type { CursorCodec, CursorQuery } from './cursor.ts'
import { DEFAULT_LIMIT, type ListOptions, MAX_LIMIT, type Page, type SortSpec } from './definition.ts'
import { type FilterSpecs, filterConditions } from './filters.ts'
import { withinByteBudget } from './page-budget.ts'
import type { TableDb, TableSchema, TableSelect } from './table-db.ts'

/** What paging reads of a repository's definition. */
export interface PagedTable {
  name: string
  table: string
  filters: FilterSpecs
  sorts: Readonly<Record<string, SortSpec>>
  defaultSort: string
  maxPageBytes: number
}

export interface PageRequest<Row> {
  db: TableDb
  query: TableSelect
  definition: PagedTable
  orgId: string
  filter: object
  options: ListOptions
  cursors: CursorCodec
  toRow: (row: Record<string, unknown>) => Row
}

export async function keysetPage<Row extends { id: number }>(request: PageRequest<Row>): Promise<Page<Row>> {
  const { definition, options, filter } = request
  const sortName = options.sort ?? definition.defaultSort
  const sort = definition.sorts[sortName]
  if (!sort) {
    throw new ValidationError(`unknown sort "${sortName}"; allowed: ${Object.keys(definition.sorts).join(', ')}`)
  }
  const limit = options.limit ?? DEFAULT_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_LIMIT}`)
  }
  const cursorQuery: CursorQuery = { orgId: request.orgId, repository: definition.name, sort: sortName, filter }
  const after = options.cursor === undefined ? undefined : await request.cursors.decode(cursorQuery, options.cursor)
  const sortColumn = `${definition.table}.${sort.column}`
  const idColumn = `${definition.table}.id`
  const eb = expressionBuilder<TableSchema, string>()
  const conditions = filterConditions(eb, definition.table, definition.filters, filter as Record<string, unknown>)
  if (after) {
    const comparison = sort.direction === 'desc' ? '<' : '>'
    conditions.push(eb(eb.refTuple(sortColumn, idColumn), comparison, eb.tuple(after.value, after.id)))
  }
  // No filter and no cursor (the common first page): no WHERE clause to build.
  const filtered = conditions.length ? request.query.where(eb.and(conditions)) : request.query
  const ordered = filtered
    .orderBy(sortColumn, sort.direction)
    .orderBy(idColumn, sort.direction)
    .limit(limit + 1)
  const order = [sort, { column: 'id', direction: sort.direction }]
  const { rows, fetched } = await withinByteBudget(request.db, ordered, order, definition.maxPageBytes)
  const items = rows.slice(0, limit).map((row) => request.toRow(row))
  const last = items.at(-1)
  const nextCursor =
    fetched > items.length && last ? await request.cursors.encode(cursorQuery, positionOf(last, sort)) : null
  return { items, nextCursor }
}

function positionOf(row: { id: number }, sort: SortSpec) {
  const value = (row as Record<string, unknown>)[sort.column]
  if (!(typeof value === 'string' || typeof value === 'number' || value instanceof Date)) {
    throw new RepositoryError(`cannot page on ${sort.column}`)
  }
  return { value, id: row.id }
}
