/**
 * `npm run build`: the deployable bundles, and their sizes.
 *
 *   dist/worker/   the Worker as wrangler bundles it (`wrangler deploy --dry-run`)
 *   dist/assets/   the Worker's static assets: the /docs page's Swagger UI files (`docs-assets.ts`)
 *   dist/lambda/   one ESM bundle for Node 24 with two handlers:
 *                  `index.handler` (the API) and `index.scheduledHandler` (EventBridge)
 *
 * Wrangler runs offline here: no login, no telemetry, no network.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { type BuildOptions, build, type Plugin } from 'esbuild'
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

/**
 * The module the bundles import for the bare specifier `zod`: zod with English as its only
 * locale (`zod-english/index.js`). wrangler.toml's `[alias]` names it for the Worker.
 */
export const ZOD_ENGLISH = './infra/build/zod-english/index.js'

/** `zod`, and only `zod` (not `zod/v4/...`, which the substitute imports), resolved to ZOD_ENGLISH. */
const zodEnglish: Plugin = {
  name: 'zod-english',
  setup(build) {
    build.onResolve({ filter: /^zod$/ }, () => ({ path: join(root, ZOD_ENGLISH) }))
  },
}

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
  plugins: [zodEnglish],
}

export async function buildAll(): Promise<{ worker: BundleSize; lambda: BundleSize }> {
  // dist/assets is left in place: wrangler dev may be serving it; its files are replaced whole when they change
  for (const output of ['worker', 'lambda']) rmSync(join(dist, output), { recursive: true, force: true })
  await prepareDocsAssets()
  const wrangler = spawnSync(
    'npx',
    ['wrangler', 'deploy', '--dry-run', '--outdir', join(dist, 'worker'), '--config', join(root, 'wrangler.toml')],
    { cwd: root, env: { ...process.env, ...WRANGLER_ENV }, encoding: 'utf8' },
  )
  if (wrangler.status !== 0) throw new Error(`wrangler failed:\n${wrangler.stdout}\n${wrangler.stderr}`)

  await build({
    ...LAMBDA_BUILD,
    entryPoints: { index: join(root, 'functions/documents-api/lambda.ts') },
    outdir: join(dist, 'lambda'),
    outExtension: { '.js': '.mjs' },
    minify: true,
    sourcemap: 'external',
    logLevel: 'warning',
  })
  return { worker: sizeOf(join(dist, 'worker'), '.js'), lambda: sizeOf(join(dist, 'lambda'), '.mjs') }
}

export interface BundleSize {
  bytes: number
  gzipBytes: number
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
  console.log(`dist/worker   ${kib(worker.bytes)} (gzip ${kib(worker.gzipBytes)})`)
  console.log(`dist/lambda   ${kib(lambda.bytes)} (gzip ${kib(lambda.gzipBytes)})`)
}
