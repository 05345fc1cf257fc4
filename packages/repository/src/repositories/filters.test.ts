import {
  DummyDriver,
  type Expression,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type SqlBool,
} from 'kysely'
import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors.ts'
import { escapeLike, type FilterSpecs, filterConditions } from './filters.ts'
import { tableDb } from './table-db.ts'

// Compiles queries without a database: these tests check the SQL and parameters only.
const db = new Kysely<{ docs: { id: number; status: string; title: string; created_at: Date } }>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
})

const specs: FilterSpecs = {
  status: { column: 'status', operators: ['eq', 'in'], oneOf: ['draft', 'published'] },
  title: { column: 'title', operators: ['contains', 'startsWith'] },
  createdAt: { column: 'created_at', operators: ['gt', 'gte', 'lt', 'lte'] },
}

function compile(filter: Record<string, unknown>) {
  return tableDb(db)
    .selectFrom('docs')
    .select('id')
    .where((eb) => eb.and(filterConditions(eb, 'docs', specs, filter) as Expression<SqlBool>[]))
    .compile()
}

describe('escapeLike', () => {
  it('makes % _ and \\ match themselves', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now')
  })
})

describe('filterConditions', () => {
  it('builds equality, in, ranges and escaped search as bound parameters', () => {
    const since = new Date('2026-01-01T00:00:00Z')
    const query = compile({
      status: { in: ['draft', 'published'] },
      title: { contains: '50%' },
      createdAt: { gte: since },
    })
    expect(query.sql).toBe(
      'select "id" from "docs" where ("docs"."status" in ($1, $2) and "docs"."title" ilike $3 and "docs"."created_at" >= $4)',
    )
    expect(query.parameters).toEqual(['draft', 'published', '%50\\%%', since])
    expect(compile({ status: 'draft', title: { startsWith: 'a_' } }).parameters).toEqual(['draft', 'a\\_%'])
  })

  it.each([
    [{ owner: 'x' }, /unknown filter "owner"/],
    [{ status: 'lost' }, /must be one of draft, published/],
    [{ status: { gt: 'a' } }, /does not support gt/],
    [{ title: 'exact' }, /does not support eq/],
    [{ status: { in: [] } }, /needs 1 to 100 values/],
    [{ title: { contains: 'x'.repeat(201) } }, /at most 200 characters/],
    [{ createdAt: { between: 1 } }, /unknown operator "between"/],
    [{ status: { in: [{}] } }, /needs 1 to 100 values/],
  ])('refuses %j', (filter, message) => {
    expect(() => compile(filter)).toThrow(ValidationError)
    expect(() => compile(filter)).toThrow(message)
  })
})
