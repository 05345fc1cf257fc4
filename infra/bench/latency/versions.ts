/**
 * The code measured side by side: "after" is this working tree, "before" is
 * a git ref (main before the round-trip work, by default), extracted to a
 * temporary folder and bundled against this tree's node_modules. Each
 * version yields a Worker bundle (for workerd) and a Node module exporting
 * what `node.ts` uses to build the service, bundled the same way.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { type BuildOptions, build } from 'esbuild'
import { LAMBDA_BUILD } from '../../build/build.ts'
import { SOURCE_CONDITION } from '../../build/conditions.ts'

export interface Version {
  name: 'before' | 'after'
  /** The Worker, bundled for workerd. */
  workerScript: string
  /** An ES module exporting `createService`, `perProcessLifetime`, `databaseConfigFromEnv`, `createDatabase`, `migrateToLatest`. */
  nodeModule: string
}

const root = new URL('../../..', import.meta.url).pathname

/** What wrangler does for the Worker, by hand, so both versions are bundled alike. */
const WORKER_BUILD: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: [SOURCE_CONDITION, 'workerd', 'worker', 'browser'],
  mainFields: ['browser', 'module', 'main'],
  external: ['node:*', 'cloudflare:*'],
  minify: true,
  logLevel: 'warning',
}

const NODE_ENTRY = {
  /** Before the drivers moved behind subpath entries, the package imported them itself. */
  builtIn: `export { createService } from './functions/documents-api/service.ts'
export { createDatabase, databaseConfigFromEnv, perProcessLifetime } from '@serverless-dal/repository'`,
  /** Since then the caller hands them in: the bench's configs name Neon's drivers only. */
  handedIn: `export { createService } from './functions/documents-api/service.ts'
export { databaseConfigFromEnv } from '@serverless-dal/repository'
import { createDatabase as open, perProcessLifetime as lifetime } from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
export const createDatabase = (config) => open(config, { drivers: [neonDrivers] })
export const perProcessLifetime = (config) => lifetime(config, { drivers: [neonDrivers] })`,
}

/** `migrate(db)`: before the documents domain had a workspace of its own, the package migrated it alone. */
const MIGRATE_ENTRY = {
  package: `export { migrateToLatest as migrate } from '@serverless-dal/repository'`,
  workspace: `import { documentsMigrations } from '@serverless-dal/documents'
import { migrateToLatest } from '@serverless-dal/repository'
import type { Kysely } from 'kysely'
export const migrate = (db: Kysely<unknown>) => migrateToLatest(db, documentsMigrations)`,
}

export async function buildVersions(beforeRef: string, workDir: string): Promise<Version[]> {
  // the whole old tree, with its own workspace links (and its own dependencies where its lockfile differs)
  const beforeRoot = materializeTree(beforeRef, join(workDir, 'before'))
  symlinkSync(join(root, 'node_modules'), join(workDir, 'node_modules'))
  return Promise.all([bundle('before', beforeRoot, workDir), bundle('after', root, workDir)])
}

async function bundle(name: Version['name'], tree: string, out: string): Promise<Version> {
  const workerScript = join(out, `${name}-worker.mjs`)
  const nodeModule = join(out, `${name}-node.mjs`)
  await build({
    ...WORKER_BUILD,
    entryPoints: [join(tree, 'functions/documents-api/worker.ts')],
    outfile: workerScript,
  })
  const services = existsSync(join(tree, 'packages/repository/src/drivers')) ? NODE_ENTRY.handedIn : NODE_ENTRY.builtIn
  const migrate = existsSync(join(tree, 'packages/documents')) ? MIGRATE_ENTRY.workspace : MIGRATE_ENTRY.package
  await build({
    ...LAMBDA_BUILD,
    stdin: {
      contents: `${services}\n${migrate}`,
      resolveDir: tree,
      loader: 'ts',
    },
    // PGlite (before: loaded through a variable when chosen) stays out: the bench always has a Postgres URL
    external: [...(LAMBDA_BUILD.external ?? []), '@electric-sql/pglite'],
    outfile: nodeModule,
    logLevel: 'warning',
  })
  return { name, workerScript, nodeModule }
}

/** The compatibility date wrangler.toml gives the Worker. */
export function compatibilityDate(): string {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8')
  return /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(toml)?.[1] ?? '2026-08-01'
}

/**
 * The whole tree at `ref` in `directory`, ready to run its own scripts
 * (`infra/build/build.ts`, the benches, `node.ts`): its workspace packages
 * resolve to its own sources, every other package (and `node_modules/.bin`)
 * to this tree's node_modules — or, when its lockfile differs from this
 * tree's, to its own, installed by `npm ci` (a minute or so). Returns `directory`.
 */
export function materializeTree(ref: string, directory: string): string {
  mkdirSync(directory, { recursive: true })
  const archive = execFileSync('git', ['archive', '--format=tar', ref], { cwd: root, maxBuffer: 1 << 30 })
  execFileSync('tar', ['-x', '-C', directory], { input: archive, maxBuffer: 1 << 30 })
  // a tree locked to other dependencies (ones since removed, say) gets its own, from its lockfile
  const lock = (tree: string) => readFileSync(join(tree, 'package-lock.json'), 'utf8')
  if (lock(directory) !== lock(root)) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: directory, stdio: 'ignore' })
    return directory
  }
  const modules = join(directory, 'node_modules')
  mkdirSync(modules, { recursive: true })
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@serverless-dal') symlinkSync(join(root, 'node_modules', entry), join(modules, entry))
  }
  // this tree's workspace links, as the old tree lays its packages out (those it lacks are left out)
  const scope = join(modules, '@serverless-dal')
  mkdirSync(scope, { recursive: true })
  for (const entry of readdirSync(join(root, 'node_modules/@serverless-dal'))) {
    const target = readlinkSync(join(root, 'node_modules/@serverless-dal', entry))
    if (existsSync(join(scope, target))) symlinkSync(target, join(scope, entry))
  }
  return directory
}
