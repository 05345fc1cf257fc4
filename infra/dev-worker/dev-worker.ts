/**
 * `npm run dev:worker`: the Worker under `wrangler dev`, locally, against your
 * Postgres and Redis through the stand-ins, which this starts first. No
 * login, no telemetry, no network: wrangler runs workerd on this machine.
 *
 *   SERVICES_DATABASE_URL  the Postgres to use (default postgres://postgres@127.0.0.1:5432/serverless_dal)
 *   DEV_WORKER_PORT        wrangler's port (default 8787); DEV_WORKER_INSPECTOR_PORT its devtools port (9229)
 *   JWT_SECRET             default: a random secret for this run (the printed token is signed with it)
 *
 * `curl "http://localhost:8787/__scheduled?cron=*%2F15+*+*+*+*"` runs the scheduled handler.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { documentsMigrations } from '@serverless-dal/documents'
import { createDatabase, migrateToLatest } from '@serverless-dal/repository'
import { neonDrivers } from '@serverless-dal/repository/neon'
import { loadCommandConfig } from '../../functions/documents-api/config/load-config.ts'
import { signToken } from '../../functions/documents-api/http/auth.ts'
import { WRANGLER_ENV } from '../build/build.ts'
import { SOURCE_CONDITION_FLAG } from '../build/conditions.ts'
import { prepareDocsAssets } from '../build/docs-assets.ts'

const root = new URL('../..', import.meta.url).pathname
const readSettings = () => loadCommandConfig(process.env, ['DEV_WORKER_PORT', 'DEV_WORKER_INSPECTOR_PORT'])
let settings: ReturnType<typeof readSettings>
try {
  settings = readSettings()
} catch (error) {
  console.error(`npm run dev:worker: ${(error as Error).message}`)
  process.exit(2)
}
const port = String(settings.DEV_WORKER_PORT ?? 8787)
const inspectorPort = String(settings.DEV_WORKER_INSPECTOR_PORT ?? 9229)
// Never the published development secret: this Worker talks to a real Postgres, and anyone
// could mint an admin token with that one. A random one per run, and the token printed below.
const jwtSecret = process.env.JWT_SECRET || randomBytes(32).toString('base64url')

const services = spawn(
  process.execPath,
  [SOURCE_CONDITION_FLAG, '--import', 'tsx', 'infra/local-services/bin/services.ts'],
  {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const env = await new Promise<Record<string, string>>((resolve, reject) => {
  let out = ''
  services.stdout.on('data', (chunk) => {
    out += chunk
    if (out.includes('UPSTASH_REDIS_REST_TOKEN=')) {
      resolve(
        Object.fromEntries(
          out
            .trim()
            .split('\n')
            .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
        ),
      )
    }
  })
  services.once('exit', (code) => reject(new Error(`npm run services exited with ${code}`)))
})

// Whatever fails from here on, the stand-ins must not outlive this command.
process.once('exit', () => services.kill('SIGTERM'))

const database = createDatabase(
  {
    driver: 'neon-pool',
    connectionString: env.DATABASE_URL as string,
    proxy: { webSocketUrl: env.NEON_WS_PROXY as string },
  },
  { drivers: [neonDrivers] },
)
await migrateToLatest(database.db, documentsMigrations)
await database.dispose()

const vars: Record<string, string> = { ...env, JWT_SECRET: jwtSecret }
// wrangler.toml's [assets] (the /docs page's files): wrangler dev refuses to start without the directory
await prepareDocsAssets()
// wrangler's own CLI on this Node, in a process group of its own, so stopping it stops workerd too.
const wranglerCli = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin/wrangler.js')
const wrangler = spawn(
  process.execPath,
  [
    wranglerCli,
    'dev',
    '--port',
    port,
    '--inspector-port',
    inspectorPort,
    '--test-scheduled',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ],
  { cwd: root, env: { ...process.env, ...WRANGLER_ENV }, stdio: 'inherit', detached: true },
)
const token = await signToken(jwtSecret, { org: 'acme', role: 'editor', sub: 'dev-worker' })
console.log(
  `\nthe Worker on http://localhost:${port} (Postgres ${env.DATABASE_URL}, Redis via ${env.UPSTASH_REDIS_REST_URL})`,
)
console.log(`try: curl -H "Authorization: Bearer ${token}" http://localhost:${port}/documents\n`)

const stop = () => {
  if (wrangler.pid) process.kill(-wrangler.pid, 'SIGTERM')
  services.kill('SIGTERM')
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
wrangler.once('exit', (code) => {
  services.kill('SIGTERM')
  process.exitCode = code ?? 0
})
