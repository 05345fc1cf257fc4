/**
 * The shared data-access package: schema types, migrations and the database
 * layer over Neon (WebSocket pool or HTTP) and PGlite. Imports no runtime.
 */
export * from './db/config.ts'
export * from './db/create-database.ts'
export * from './db/lifetime.ts'
export { TransactionsUnsupportedError } from './db/neon-http-dialect.ts'
export { parseInt8, parseInt8Array } from './db/type-parsers.ts'
export * from './migrations/index.ts'
export * from './schema/database.ts'
export type * from './schema/rows.ts'
