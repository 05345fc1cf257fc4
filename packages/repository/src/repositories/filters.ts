/**
 * Filters from a whitelist. Each repository names the fields callers may
 * filter on and the operators each allows; anything else is a
 * ValidationError that names it — nothing a caller sends becomes SQL text.
 *
 * ```ts
 * { status: 'published' }                   // eq
 * { status: { in: ['draft', 'published'] } }
 * { createdAt: { gte: monday, lt: sunday } }
 * { title: { contains: '50%_off' } }        // % and _ match themselves
 * ```
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely'
import { ValidationError } from '../errors.ts'
import type { Column } from './definition.ts'
import type { TableSchema } from './table-db.ts'

export type Scalar = string | number | Date
export type RangeFilter<T> = { gt?: T; gte?: T; lt?: T; lte?: T }
export type SearchFilter = { contains?: string; startsWith?: string }

type Operator = 'eq' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'startsWith'

export interface ColumnFilterSpec<ColumnName extends string = string> {
  /** The column of the repository's table (camelCase) the filter reads. */
  column: ColumnName
  operators: readonly Operator[]
  /** The only values allowed, for enumerations. */
  oneOf?: readonly string[]
}

/** A filter that is more than a column comparison, such as "has topic". */
export interface CustomFilterSpec<DB = TableSchema, Table extends keyof DB = keyof DB> {
  /** Gets an expression builder over the user's schema, from the repository's table. */
  build(eb: ExpressionBuilder<DB, Table>, value: unknown, field: string): Expression<SqlBool>
}

/** One spec per field of `Filter`, each naming a column of `Table` or building its own condition. */
export type FilterSpecs<DB = TableSchema, Table extends keyof DB = keyof DB, Filter = Record<string, unknown>> = {
  readonly [Field in keyof Filter & string]-?: ColumnFilterSpec<Column<DB, Table>> | CustomFilterSpec<DB, Table>
}

const MAX_IN_VALUES = 100
const MAX_SEARCH_LENGTH = 200
const RANGE_OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const

/** Escapes LIKE metacharacters so user text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** The conditions for `filter` on `table`, refusing any field or operator the specs do not allow. */
export function filterConditions(
  eb: ExpressionBuilder<TableSchema, string>,
  table: string,
  specs: FilterSpecs,
  filter: Record<string, unknown>,
): Expression<SqlBool>[] {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new ValidationError('a filter must be an object of field: condition')
  }
  const conditions: Expression<SqlBool>[] = []
  for (const [field, value] of Object.entries(filter)) {
    if (value === undefined) continue
    const spec = specs[field]
    if (!spec) throw new ValidationError(`unknown filter "${field}"; allowed: ${Object.keys(specs).join(', ')}`)
    if ('build' in spec) conditions.push(spec.build(eb, value, field))
    else conditions.push(...columnConditions(eb, `${table}.${spec.column}`, spec, field, value))
  }
  return conditions
}

function columnConditions(
  eb: ExpressionBuilder<TableSchema, string>,
  qualified: string,
  spec: ColumnFilterSpec,
  field: string,
  value: unknown,
): Expression<SqlBool>[] {
  const column = eb.ref(qualified)
  const allows = (op: Operator) => {
    if (!spec.operators.includes(op)) throw new ValidationError(`filter "${field}" does not support ${op}`)
  }
  if (isScalar(value)) {
    allows('eq')
    return [eb(column, '=', checked(spec, field, value))]
  }
  if (typeof value !== 'object' || value === null) throw new ValidationError(`filter "${field}" has an invalid value`)
  const conditions: Expression<SqlBool>[] = []
  for (const [op, operand] of Object.entries(value)) {
    if (operand === undefined) continue
    if (op === 'in') {
      allows('in')
      if (
        !Array.isArray(operand) ||
        operand.length === 0 ||
        operand.length > MAX_IN_VALUES ||
        !operand.every(isScalar)
      ) {
        throw new ValidationError(`filter "${field}" in needs 1 to ${MAX_IN_VALUES} values`)
      }
      conditions.push(
        eb(
          column,
          'in',
          operand.map((v) => checked(spec, field, v)),
        ),
      )
    } else if (op in RANGE_OPERATORS) {
      allows(op as Operator)
      if (!isScalar(operand)) throw new ValidationError(`filter "${field}" ${op} needs a value`)
      conditions.push(eb(column, RANGE_OPERATORS[op as keyof typeof RANGE_OPERATORS], operand))
    } else if (op === 'contains' || op === 'startsWith') {
      allows(op)
      if (typeof operand !== 'string' || operand.length > MAX_SEARCH_LENGTH) {
        throw new ValidationError(`filter "${field}" ${op} needs text of at most ${MAX_SEARCH_LENGTH} characters`)
      }
      const pattern = op === 'contains' ? `%${escapeLike(operand)}%` : `${escapeLike(operand)}%`
      conditions.push(sql<SqlBool>`${column} ilike ${pattern}`)
    } else {
      throw new ValidationError(`filter "${field}" has an unknown operator "${op}"`)
    }
  }
  return conditions
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || value instanceof Date
}

function checked(spec: ColumnFilterSpec, field: string, value: Scalar): Scalar {
  if (spec.oneOf && !spec.oneOf.includes(String(value))) {
    throw new ValidationError(`filter "${field}" must be one of ${spec.oneOf.join(', ')}`)
  }
  return value
}
