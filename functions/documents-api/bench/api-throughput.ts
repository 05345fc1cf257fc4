/**
 * `npm run bench:api`: the Node server's throughput and tail latency for
 * `GET /documents/:id` answered from the memory tier, against `GET /ping`
 * (no auth, no I/O), side by side; then the deployable bundles' sizes.
 *
 * The server runs as `npm start` does (embedded PGlite, metrics on, stdout
 * discarded) in a child process; this process is the load generator: keep-
 * alive connections, a fixed number in flight, rounds of a few seconds
 * alternating the paths (A B A B …). Figures are medians over the rounds.
 *
 *   BENCH_ROUNDS  default 5 per path;  BENCH_SECONDS per round, default 3;  BENCH_CONCURRENCY default 16
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildAll } from '../../../infra/build/build.ts'
import { SOURCE_CONDITION_FLAG } from '../../../infra/build/conditions.ts'
import { median } from '../../../packages/documents/bench/local-services.ts'
import { DEVELOPMENT_JWT_SECRET, signToken } from '../http/auth.ts'
import { httpGet } from './http-get.ts'

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const seconds = Number(process.env.BENCH_SECONDS ?? 3)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16)
const root = new URL('../../..', import.meta.url).pathname

const dataDir = await mkdtemp(join(tmpdir(), 'dal-bench-api-'))
const server = spawn(process.execPath, [SOURCE_CONDITION_FLAG, '--import', 'tsx', 'functions/documents-api/node.ts'], {
  cwd: root,
  env: { ...process.env, PORT: '0', DATABASE_URL: '', JWT_SECRET: '', PGLITE_DATA_DIR: dataDir },
  stdio: ['ignore', 'pipe', 'ignore'],
})
const port = await new Promise<number>((resolve, reject) => {
  let out = ''
  const onData = (chunk: Buffer) => {
    out += chunk
    const match = /documents API on http:\/\/localhost:(\d+)/.exec(out)
    if (match && out.includes('try: curl')) {
      server.stdout.off('data', onData)
      server.stdout.resume() // EMF lines from here on: read and dropped
      resolve(Number(match[1]))
    }
  }
  server.stdout.on('data', onData)
  server.once('exit', (code) => reject(new Error(`the server exited with ${code}`)))
})

const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
const token = await signToken(DEVELOPMENT_JWT_SECRET, { org: 'acme', role: 'viewer', sub: 'bench' })
const auth = { authorization: `Bearer ${token}` }

const get = (path: string, headers: Record<string, string> = {}) => httpGet(port, agent, path, headers)

const { body } = await get('/documents?limit=1', auth)
const id = (JSON.parse(body) as { items: Array<{ id: number }> }).items[0]?.id
const paths: Record<string, [string, Record<string, string>]> = {
  'GET /ping': ['/ping', {}],
  'GET /documents/:id (memory hit)': [`/documents/${id}`, auth],
}
const warm = await get(`/documents/${id}`, auth)
if (warm.status !== 200) throw new Error(`GET /documents/${id} answered ${warm.status}`)

/** Keeps `concurrency` requests in flight for `seconds`; every answer must be a 200. */
async function round(path: string, headers: Record<string, string>) {
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now()
      const response = await get(path, headers)
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`)
      latencies.push(performance.now() - started)
    }
  }
  const began = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsed = (performance.now() - began) / 1000
  latencies.sort((a, b) => a - b)
  return { rps: latencies.length / elapsed, p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN }
}

const results: Record<string, { rps: number[]; p99: number[] }> = {}
try {
  for (const [path, headers] of Object.values(paths)) await round(path, headers) // warm up both
  for (let r = 1; r <= rounds; r++) {
    for (const [name, [path, headers]] of Object.entries(paths)) {
      process.stderr.write(`\rround ${r}/${rounds}: ${name}`.padEnd(60))
      const { rps, p99 } = await round(path, headers)
      results[name] = { rps: [...(results[name]?.rps ?? []), rps], p99: [...(results[name]?.p99 ?? []), p99] }
    }
  }
  process.stderr.write(`\r${' '.repeat(60)}\r`)
} finally {
  server.kill('SIGTERM')
  agent.destroy()
}

const ping = results['GET /ping'] as { rps: number[]; p99: number[] }
const doc = results['GET /documents/:id (memory hit)'] as { rps: number[]; p99: number[] }
console.log(
  `### Node server, ${concurrency} requests in flight, ${rounds} alternating rounds of ${seconds} s per path\n`,
)
console.log('| path | requests/s | p99 ms |')
console.log('| --- | ---: | ---: |')
for (const [name, figures] of Object.entries(results)) {
  console.log(`| ${name} | ${median(figures.rps).toFixed(0)} | ${median(figures.p99).toFixed(2)} |`)
}
console.log(
  `\nGET /documents/:id from memory runs at ${(median(doc.rps) / median(ping.rps)).toFixed(2)}× the requests/s of /ping (goal ≥ 0.75); ` +
    `p99 ${(median(doc.p99) / median(ping.p99)).toFixed(2)}× as long.`,
)

const sizes = await buildAll()
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`
console.log('\n### Bundles (npm run build)\n')
console.log('| bundle | size | gzip |')
console.log('| --- | ---: | ---: |')
console.log(`| Worker (dist/worker) | ${kib(sizes.worker.bytes)} | ${kib(sizes.worker.gzipBytes)} |`)
console.log(`| Lambda (dist/lambda) | ${kib(sizes.lambda.bytes)} | ${kib(sizes.lambda.gzipBytes)} |`)
await rm(dataDir, { recursive: true, force: true })
process.exit(0)
