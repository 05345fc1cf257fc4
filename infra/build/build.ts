/**
 * `npm run build`: the deployable bundles, and their sizes.
 *
 *   dist/worker/   the Worker as wrangler bundles it (`wrangler deploy --dry-run`)
 *   dist/assets/   the Worker's static assets: the /docs page's Swagger UI files (`docs-assets.ts`)
 *   dist/lambda/   one ESM bundle for Node 24 with two handlers:
 *                  `index.handler` (the API) and `index.scheduledHandler` (EventBridge)
 *
 * Beside each bundle, `bundle-meta.json`: esbuild's metafile, what each input adds to the
 * minified output (https://esbuild.github.io/analyze/ reads it); the build prints the
 * largest packages of each.
 *
 * Wrangler runs offline here: no login, no telemetry, no network.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { type BuildOptions, build, type Metafile } from 'esbuild'
import { SOURCE_CONDITION, WRANGLER_BUILD_CONDITIONS } from './conditions.ts'
import { prepareDocsAssets } from './docs-assets.ts'

const root = new URL('../..', import.meta.url).pathname
const dist = join(root, 'dist')

export const OFFLINE_WRANGLER = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
}

/** How wrangler runs here: offline, bundling the workspace's packages from their sources. */
export const WRANGLER_ENV = { ...OFFLINE_WRANGLER, WRANGLER_BUILD_CONDITIONS }

/** How the Lambda bundle is built; the Lambda tests invoke a bundle built the same way. */
export const LAMBDA_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // the workspace's packages from their sources; `module` is esbuild's default, dropped once conditions are set
  conditions: [SOURCE_CONDITION, 'module'],
  // CommonJS dependencies inside an ESM bundle need a require of their own.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  // node-postgres loads its optional native binding only when asked to (NODE_PG_FORCE_NATIVE); we never ask.
  // The AWS SDK v3 is part of the Lambda Node.js runtime; the entry loads its SSM client only when a
  // secret comes from Parameter Store (functions/documents-api/lambda/secret-parameters.ts).
  external: ['pg-native', '@aws-sdk/*'],
}

export async function buildAll(): Promise<{ worker: BundleReport; lambda: BundleReport }> {
  // dist/assets is left in place: wrangler dev may be serving it; its files are replaced whole when they change
  for (const output of ['worker', 'lambda']) rmSync(join(dist, output), { recursive: true, force: true })
  await prepareDocsAssets()
  const wrangler = spawnSync(
    'npx',
    [
      'wrangler',
      'deploy',
      '--dry-run',
      '--outdir',
      join(dist, 'worker'),
      '--metafile',
      join(dist, 'worker', META),
      '--config',
      join(root, 'wrangler.toml'),
    ],
    { cwd: root, env: { ...process.env, ...WRANGLER_ENV }, encoding: 'utf8' },
  )
  if (wrangler.status !== 0) throw new Error(`wrangler failed:\n${wrangler.stdout}\n${wrangler.stderr}`)

  const lambda = await build({
    ...LAMBDA_BUILD,
    entryPoints: { index: join(root, 'functions/documents-api/lambda.ts') },
    outdir: join(dist, 'lambda'),
    outExtension: { '.js': '.mjs' },
    minify: true,
    sourcemap: 'external',
    metafile: true,
    logLevel: 'warning',
  })
  writeFileSync(join(dist, 'lambda', META), JSON.stringify(lambda.metafile))
  const workerMeta = JSON.parse(readFileSync(join(dist, 'worker', META), 'utf8')) as Metafile
  return {
    worker: { ...sizeOf(join(dist, 'worker'), '.js'), packages: bytesByPackage(workerMeta, '.js') },
    lambda: { ...sizeOf(join(dist, 'lambda'), '.mjs'), packages: bytesByPackage(lambda.metafile, '.mjs') },
  }
}

const META = 'bundle-meta.json'

export interface BundleSize {
  bytes: number
  gzipBytes: number
}

export interface BundleReport extends BundleSize {
  /** Minified bytes by npm package (or workspace folder), largest first. */
  packages: Array<{ name: string; bytes: number }>
}

/** What each npm package (`zod`, `@neondatabase/serverless`) or workspace folder adds to the bundle's code. */
function bytesByPackage(meta: Metafile, extension: string): BundleReport['packages'] {
  const bytes = new Map<string, number>()
  for (const [file, output] of Object.entries(meta.outputs)) {
    if (!file.endsWith(extension)) continue
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ??
        input.split('/').slice(0, 2).join('/').replace(/\.ts$/, '')
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput)
    }
  }
  return [...bytes].map(([name, n]) => ({ name, bytes: n })).sort((a, b) => b.bytes - a.bytes)
}

/** The bundle's code (source maps left out), raw and gzipped. */
function sizeOf(dir: string, extension: string): BundleSize {
  const files = readdirSync(dir).filter((file) => file.endsWith(extension) || file.endsWith('.wasm'))
  let bytes = 0
  let gzipBytes = 0
  for (const file of files) {
    const path = join(dir, file)
    bytes += statSync(path).size
    gzipBytes += gzipSync(readFileSync(path)).length
  }
  return { bytes, gzipBytes }
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`

if (import.meta.url === `file://${process.argv[1]}`) {
  const { worker, lambda } = await buildAll()
  const largest = (report: BundleReport) =>
    report.packages
      .slice(0, 6)
      .map(({ name, bytes }) => `${name} ${kib(bytes)}`)
      .join(', ')
  console.log(`dist/worker   ${kib(worker.bytes)} (gzip ${kib(worker.gzipBytes)})   ${largest(worker)}`)
  console.log(`dist/lambda   ${kib(lambda.bytes)} (gzip ${kib(lambda.gzipBytes)})   ${largest(lambda)}`)
}
