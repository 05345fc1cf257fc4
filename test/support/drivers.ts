/**
 * Every driver the suites open databases with, handed in as the package asks
 * (its main entry imports none): Neon's three, PGlite and node-postgres.
 * Suites spread it wherever a config becomes a database, a lifetime or a factory.
 */
import type { DriverOptions } from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { pgliteDriver } from '@serverless-dal/repository/pglite'
import pg from 'pg'

export const allDrivers = { drivers: [neonDrivers, pgliteDriver], pg } satisfies DriverOptions
