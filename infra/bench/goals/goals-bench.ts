/**
 * Issue 18's figures for a baseline git ref and for this tree, in one run:
 * bundle sizes, module init (in Node and in workerd), requests/s of a
 * memory hit against `GET /ping` at 16 and 1 in flight, and the CPU metrics
 * add to a request. Each tree is measured with its own scripts: the baseline
 * is materialized whole (`materializeTree`) and built by its own
 * `infra/build/build.ts`, its Node server is its own `node.ts`, its metrics
 * figure its own `packages/documents/bench/metrics-overhead.ts`. The two
 * trees take turns run by run and round by round, so drift hits both alike.
 * A figure a tree cannot give (its layout lacks the script, a run fails) is
 * left out with the reason, and the rest is still measured.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { httpGet } from '../../../functions/documents-api/bench/http-get.ts'
import { SOURCE_CONDITION_FLAG } from '../../build/conditions.ts'
import { compatibilityDate, materializeTree } from '../latency/versions.ts'
import { DEFAULT_BASELINE_REF, parseMetricsReport } from './goals-report.ts'

export type TreeName = 'baseline' | 'now'

export interface GoalsOptions {
  /** The git ref measured as the baseline. */
  baselineRef: string
  /** A git ref measured as "now" instead of the working tree (its uncommitted changes left out). */
  nowRef?: string
  /** Rounds of the requests/s comparison, per concurrency, tree and path. */
  rounds: number
  /** Seconds per requests/s round. */
  seconds: number
  /** Fresh processes (and workerd instances) per bundle for init times; the median counts. */
  initRuns: number
  /** Isolates of one script in the workerd started to time its per-isolate init (against one). */
  workerdCopies: number
  /** Runs of each tree's metrics bench, taking turns; the median ratio counts. */
  metricsRuns: number
  /** An admin URL of a Postgres the metrics bench makes scratch databases on. */
  adminUrl: string
  progress: (text: string) => void
}

export interface TreeFigures {
  workerGzip?: number
  workerBytes?: number
  lambdaGzip?: number
  lambdaBytes?: number
  /** ms to import the bundle in a fresh Node process, median. */
  workerInitNode?: number
  lambdaInitNode?: number
  /** ms workerd spends per isolate of the Worker at startup (its module compiled and run), median. */
  workerdInit?: number
  /** ms from starting workerd with one isolate of the Worker until it is ready, median. */
  workerdStartup?: number
  /** Requests/s by requests in flight: the memory hit, `/ping`, and the median of the per-round ratios. */
  rps: Record<number, { ping: number; hit: number; ratio: number }>
  /** CPU per request end to end, metrics on ÷ off (median of runs); the CPU µs off and on. */
  metrics?: { ratio: number; offMicros: number; onMicros: number; emfSinkRatio?: number }
  /** What could not be measured, and why. */
  missing: string[]
}

export interface GoalsFigures {
  baselineRef: string
  /** The baseline's commit, abbreviated. */
  baselineCommit: string
  /** "now"'s commit, abbreviated, when a ref rather than the working tree. */
  nowCommit?: string
  trees: Record<TreeName, TreeFigures>
  bare: { nodeInit?: number; workerdInit?: number; workerdStartup?: number }
  options: Omit<GoalsOptions, 'progress' | 'adminUrl'>
  concurrencies: number[]
  /** Wall time of this part of the run, s. */
  elapsedSeconds: number
}

export const CONCURRENCIES = [16, 1]

const root = new URL('../../..', import.meta.url).pathname
const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}
const finite = (value: number) => (Number.isFinite(value) ? value : undefined)

export function goalsOptionsFromEnv(env = process.env): Omit<GoalsOptions, 'progress'> {
  return {
    baselineRef: env.BENCH_BASELINE_REF ?? DEFAULT_BASELINE_REF,
    ...(env.BENCH_NOW_REF && { nowRef: env.BENCH_NOW_REF }),
    rounds: Math.max(3, Number(env.BENCH_GOALS_ROUNDS ?? 5)),
    seconds: Math.max(0.5, Number(env.BENCH_GOALS_SECONDS ?? 2)),
    initRuns: Math.max(3, Number(env.BENCH_INIT_RUNS ?? 7)),
    workerdCopies: Math.max(2, Number(env.BENCH_WORKERD_COPIES ?? 6)),
    metricsRuns: Math.max(1, Number(env.BENCH_METRICS_RUNS ?? 2)),
    adminUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  }
}

export async function runGoalsBench(options: GoalsOptions): Promise<GoalsFigures> {
  const started = performance.now()
  const work = mkdtempSync(join(tmpdir(), 'dal-goals-'))
  const trees: Record<TreeName, string> = {
    baseline: join(work, 'baseline'),
    now: options.nowRef ? join(work, 'now') : root,
  }
  const figures: Record<TreeName, TreeFigures> = { baseline: { rps: {}, missing: [] }, now: { rps: {}, missing: [] } }
  const names: TreeName[] = ['baseline', 'now']
  const attempt = async (tree: TreeName, what: string, run: () => Promise<void> | void) => {
    try {
      await run()
    } catch (error) {
      figures[tree].missing.push(`${what}: ${((error as Error).message ?? String(error)).split('\n')[0]}`)
    }
  }
  const bare: GoalsFigures['bare'] = {}
  try {
    options.progress(`materializing ${options.baselineRef} (baseline)…`)
    materializeTree(options.baselineRef, trees.baseline)
    const baselineCommit = execGit(['rev-parse', '--short', options.baselineRef])
    // resolved once, before anything runs: a commit landing meanwhile changes nothing measured
    const nowCommit = options.nowRef ? execGit(['rev-parse', '--short', options.nowRef]) : undefined
    if (nowCommit) {
      options.progress(`materializing ${options.nowRef} (now, ${nowCommit})…`)
      materializeTree(nowCommit, trees.now)
    }

    // --- bundles, each tree by its own build script ----------------------------------------
    const bundles: Partial<Record<TreeName, { worker: string; lambda: string }>> = {}
    for (const tree of names) {
      options.progress(`building ${tree}'s bundles with its own infra/build/build.ts…`)
      await attempt(tree, 'bundles', () => {
        const built = buildTree(trees[tree])
        Object.assign(figures[tree], built.sizes)
        bundles[tree] = built.entries
      })
    }
    const bareWorker = bareHonoBundle(work)

    // --- module init: fresh Node processes, taking turns ------------------------------------
    const lambdaEnv = {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      JWT_SECRET: 'x'.repeat(32),
      POWERTOOLS_METRICS_DISABLED: 'true',
    }
    const initSamples = new Map<string, number[]>()
    const sample = (key: string, value: number) => initSamples.set(key, [...(initSamples.get(key) ?? []), value])
    for (let run = 1; run <= options.initRuns; run++) {
      options.progress(`module init in Node, run ${run}/${options.initRuns}…`)
      sample('bare', importTime(await bareWorker, {}))
      for (const tree of names) {
        const entries = bundles[tree]
        if (!entries) continue
        sample(`${tree}:worker`, importTime(entries.worker, {}))
        sample(`${tree}:lambda`, importTime(entries.lambda, lambdaEnv))
      }
    }
    bare.nodeInit = finite(median(initSamples.get('bare') ?? []))
    for (const tree of names) {
      figures[tree].workerInitNode = finite(median(initSamples.get(`${tree}:worker`) ?? []))
      figures[tree].lambdaInitNode = finite(median(initSamples.get(`${tree}:lambda`) ?? []))
      if (bundles[tree] && figures[tree].workerInitNode === undefined)
        figures[tree].missing.push('Node init: no run succeeded')
    }

    // --- workerd: one isolate of the script against several, taking turns ------------------
    const startupSamples = new Map<string, number[]>()
    const workerdInitSamples = new Map<string, number[]>()
    const copies = options.workerdCopies
    for (let run = 1; run <= options.initRuns; run++) {
      options.progress(`module init in workerd, run ${run}/${options.initRuns}…`)
      const time = async (key: string, script: string) => {
        const one = await workerdReady(script, 1)
        const many = await workerdReady(script, copies)
        startupSamples.set(key, [...(startupSamples.get(key) ?? []), one])
        workerdInitSamples.set(key, [...(workerdInitSamples.get(key) ?? []), (many - one) / (copies - 1)])
      }
      await time('bare', await bareWorker).catch(() => {})
      for (const tree of names) {
        const entries = bundles[tree]
        if (entries && run === 1) await attempt(tree, 'workerd init', () => time(tree, entries.worker))
        else if (entries) await time(tree, entries.worker).catch(() => {})
      }
    }
    bare.workerdStartup = finite(median(startupSamples.get('bare') ?? []))
    bare.workerdInit = finite(median(workerdInitSamples.get('bare') ?? []))
    for (const tree of names) {
      figures[tree].workerdStartup = finite(median(startupSamples.get(tree) ?? []))
      figures[tree].workerdInit = finite(median(workerdInitSamples.get(tree) ?? []))
    }

    // --- requests/s: each tree's own Node server, one load generator --------------------------
    const servers: Partial<Record<TreeName, NodeServer>> = {}
    try {
      for (const tree of names) {
        options.progress(`starting ${tree}'s Node server (node.ts, embedded PGlite)…`)
        await attempt(tree, 'Node server', async () => {
          servers[tree] = await startNodeServer(trees[tree], work, tree)
        })
      }
      let running = names.filter((tree) => servers[tree])
      const samples = new Map<string, number[]>()
      const push = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value])
      /** A tree whose server fails a request drops out of the comparison, saying why; the other goes on. */
      const measure = async (tree: TreeName, run: (server: NodeServer) => Promise<void>) => {
        try {
          await run(servers[tree] as NodeServer)
        } catch (error) {
          figures[tree].missing.push(`requests/s: ${(error as Error).message.split('\n')[0]}`)
          running = running.filter((t) => t !== tree)
        }
      }
      for (const concurrency of CONCURRENCIES) {
        for (const tree of running) {
          await measure(tree, async (server) => {
            await load(server, '/ping', {}, concurrency, 0.5) // warm up both paths
            await load(server, server.hitPath, server.auth, concurrency, 0.5)
          })
        }
        for (let round = 1; round <= options.rounds; round++) {
          for (const tree of running) {
            options.progress(`requests/s, ${concurrency} in flight, round ${round}/${options.rounds}: ${tree}`)
            await measure(tree, async (server) => {
              const ping = await load(server, '/ping', {}, concurrency, options.seconds)
              const hit = await load(server, server.hitPath, server.auth, concurrency, options.seconds)
              push(`${tree}:${concurrency}:ping`, ping)
              push(`${tree}:${concurrency}:hit`, hit)
              push(`${tree}:${concurrency}:ratio`, hit / ping)
            })
          }
        }
        for (const tree of running) {
          figures[tree].rps[concurrency] = {
            ping: median(samples.get(`${tree}:${concurrency}:ping`) ?? []),
            hit: median(samples.get(`${tree}:${concurrency}:hit`) ?? []),
            ratio: median(samples.get(`${tree}:${concurrency}:ratio`) ?? []),
          }
        }
      }
    } finally {
      for (const server of Object.values(servers)) server?.close()
    }

    // --- metrics on vs off: each tree's own bench:metrics, taking turns ----------------------
    const metricRuns: Record<TreeName, Array<ReturnType<typeof parseMetricsReport>>> = {
      baseline: [],
      now: [],
    }
    for (let run = 1; run <= options.metricsRuns; run++) {
      for (const tree of names) {
        options.progress(`metrics on vs off, run ${run}/${options.metricsRuns}: ${tree}'s bench:metrics…`)
        if (run > 1 && metricRuns[tree].length === 0) continue // it failed once; its reason is recorded
        await attempt(tree, 'metrics on vs off', () => {
          metricRuns[tree].push(metricsOverhead(trees[tree], options.adminUrl))
        })
      }
    }
    for (const tree of names) {
      const runs = metricRuns[tree]
      if (runs.length === 0) continue
      const emfSink = runs.flatMap((r) => (r.emfSinkRatio === undefined ? [] : [r.emfSinkRatio]))
      figures[tree].metrics = {
        ratio: median(runs.map((r) => r.ratio)),
        offMicros: median(runs.map((r) => r.offMicros)),
        onMicros: median(runs.map((r) => r.onMicros)),
        ...(emfSink.length > 0 && { emfSinkRatio: median(emfSink) }),
      }
    }
    return {
      baselineRef: options.baselineRef,
      baselineCommit,
      ...(nowCommit && { nowCommit }),
      trees: figures,
      bare,
      options: {
        baselineRef: options.baselineRef,
        ...(options.nowRef && { nowRef: options.nowRef }),
        rounds: options.rounds,
        seconds: options.seconds,
        initRuns: options.initRuns,
        workerdCopies: options.workerdCopies,
        metricsRuns: options.metricsRuns,
      },
      concurrencies: CONCURRENCIES,
      elapsedSeconds: (performance.now() - started) / 1000,
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function execGit(args: string[]): string {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout.trim()
}

/** Runs the tree's own `infra/build/build.ts` (wrangler dry-run, esbuild) and measures what it wrote to its dist/. */
function buildTree(tree: string): {
  sizes: Pick<TreeFigures, 'workerBytes' | 'workerGzip' | 'lambdaBytes' | 'lambdaGzip'>
  entries: { worker: string; lambda: string }
} {
  const script = join(tree, 'infra/build/build.ts')
  if (!existsSync(script)) throw new Error('the tree has no infra/build/build.ts')
  const result = spawnSync(process.execPath, [SOURCE_CONDITION_FLAG, '--import', 'tsx', script], {
    cwd: tree,
    env: process.env,
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`its build failed: ${(result.stderr || result.stdout).trim()}`)
  const worker = sizeOf(join(tree, 'dist/worker'), '.js')
  const lambda = sizeOf(join(tree, 'dist/lambda'), '.mjs')
  return {
    sizes: {
      workerBytes: worker.bytes,
      workerGzip: worker.gzipBytes,
      lambdaBytes: lambda.bytes,
      lambdaGzip: lambda.gzipBytes,
    },
    entries: {
      worker: entryOf(join(tree, 'dist/worker'), '.js', 'worker.js'),
      lambda: join(tree, 'dist/lambda/index.mjs'),
    },
  }
}

/** The bundle's code (source maps left out), raw and gzipped, every file of it: as `infra/build/build.ts` counts. */
export function sizeOf(dir: string, extension: string): { bytes: number; gzipBytes: number } {
  let bytes = 0
  let gzipBytes = 0
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(extension) && !file.endsWith('.wasm')) continue
    const path = join(dir, file)
    bytes += statSync(path).size
    gzipBytes += gzipSync(readFileSync(path)).length
  }
  return { bytes, gzipBytes }
}

function entryOf(dir: string, extension: string, preferred: string): string {
  if (existsSync(join(dir, preferred))) return join(dir, preferred)
  const file = readdirSync(dir).find((name) => name.endsWith(extension))
  if (!file) throw new Error(`no ${extension} bundle in ${dir}`)
  return join(dir, file)
}

/** A bare Hono app bundled as the Worker is: the floor any Hono Worker pays. */
async function bareHonoBundle(work: string): Promise<string> {
  const dir = join(work, 'bare')
  mkdirSync(dir, { recursive: true })
  const source = join(dir, 'bare.ts')
  writeFileSync(source, "import { Hono } from 'hono'\nexport default new Hono().get('/ping', (c) => c.text('pong'))\n")
  const outfile = join(dir, 'bare.mjs')
  if (!existsSync(outfile)) {
    await build({
      entryPoints: [source],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      outfile,
      nodePaths: [join(root, 'node_modules')],
      logLevel: 'silent',
    })
  }
  return outfile
}

/** ms to import `file` in a fresh Node process: its module init, what a cold start pays before the first request. */
function importTime(file: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); console.log(performance.now() - t)`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  })
  return result.status === 0 ? Number(result.stdout.trim().split('\n').at(-1)) : Number.NaN
}

/**
 * ms from starting workerd (Miniflare) with `copies` isolates of the script
 * until it is ready. workerd compiles and runs each isolate's module at
 * startup, one after the other; its own clock stands still while code runs,
 * so the time is taken from outside. Startup with n copies less startup with
 * one, over n − 1, is one isolate's init without workerd's process start.
 */
async function workerdReady(script: string, copies: number): Promise<number> {
  const started = performance.now()
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      workers: Array.from({ length: copies }, (_, i) => ({
        name: `copy-${i}`,
        modules: true,
        modulesRoot: join(script, '..'),
        scriptPath: script,
        compatibilityDate: compatibilityDate(),
        compatibilityFlags: ['nodejs_compat'],
        bindings: {
          DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
          JWT_SECRET: 'x'.repeat(32),
          POWERTOOLS_DEV: 'true',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
      })),
    }),
  )
  try {
    await mf.ready
    const ready = performance.now() - started
    const response = await mf.dispatchFetch('http://localhost/ping') // it answers: the script did start
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`/ping answered ${response.status} in workerd`)
    return ready
  } finally {
    await mf.dispose()
  }
}

interface NodeServer {
  port: number
  agent: Agent
  hitPath: string
  auth: Record<string, string>
  close(): void
}

/** The tree's `node.ts` as `npm start` runs it (embedded PGlite, metrics on, stdout discarded): bench:api's server. */
async function startNodeServer(tree: string, work: string, name: TreeName): Promise<NodeServer> {
  const dataDir = join(work, `pglite-${name}`)
  const child: ChildProcess = spawn(
    process.execPath,
    [SOURCE_CONDITION_FLAG, '--import', 'tsx', 'functions/documents-api/node.ts'],
    {
      cwd: tree,
      env: { ...process.env, PORT: '0', DATABASE_URL: '', JWT_SECRET: '', PGLITE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stderr?.resume()
  const { port, token } = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('node.ts did not print where it listens within 120 s')), 120_000)
    const onData = (chunk: Buffer) => {
      out += chunk
      const listening = /documents API on http:\/\/localhost:(\d+)/.exec(out)
      const tried = /try: curl -H "Authorization: Bearer ([^"]+)"/.exec(out)
      if (listening && tried) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume() // EMF lines from here on: read and dropped
        resolve({ port: Number(listening[1]), token: tried[1] as string })
      }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node.ts exited with ${code}`))
    })
  })
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(...CONCURRENCIES) })
  // the token node.ts prints (its own development secret, its own claims)
  const auth = { authorization: `Bearer ${token}` }
  const list = await httpGet(port, agent, '/documents?limit=1', auth)
  const id = (JSON.parse(list.body) as { items?: Array<{ id: number }> }).items?.[0]?.id
  if (list.status !== 200 || id === undefined) {
    child.kill('SIGTERM')
    throw new Error(`GET /documents answered ${list.status}: ${list.body.slice(0, 200)}`)
  }
  const hitPath = `/documents/${id}`
  const warm = await httpGet(port, agent, hitPath, auth)
  if (warm.status !== 200) {
    child.kill('SIGTERM')
    throw new Error(`GET ${hitPath} answered ${warm.status}`)
  }
  return {
    port,
    agent,
    hitPath,
    auth,
    close() {
      child.kill('SIGTERM')
      agent.destroy()
    },
  }
}

/** Requests/s with `concurrency` requests in flight for `seconds` (keep-alive); every answer must be a 200. */
async function load(
  server: NodeServer,
  path: string,
  headers: Record<string, string>,
  concurrency: number,
  seconds: number,
): Promise<number> {
  let done = 0
  const deadline = performance.now() + seconds * 1000
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await httpGet(server.port, server.agent, path, headers)
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`)
      done += 1
    }
  }
  const began = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return done / ((performance.now() - began) / 1000)
}

/**
 * The tree's own `bench:metrics` (packages/documents/bench/metrics-overhead.ts):
 * its end-to-end table's "metrics on" row, CPU per request on ÷ off.
 */
function metricsOverhead(tree: string, adminUrl: string): ReturnType<typeof parseMetricsReport> {
  const script = join(tree, 'packages/documents/bench/metrics-overhead.ts')
  if (!existsSync(script)) throw new Error('the tree has no packages/documents/bench/metrics-overhead.ts')
  const result = spawnSync(process.execPath, [SOURCE_CONDITION_FLAG, '--import', 'tsx', script], {
    cwd: tree,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: adminUrl,
      BENCH_ROUNDS: process.env.BENCH_METRICS_ROUNDS ?? '12',
      BENCH_REQUESTS: process.env.BENCH_METRICS_REQUESTS ?? '150',
    },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 600_000,
  })
  if (result.status !== 0) throw new Error(`bench:metrics failed: ${(result.stderr || result.stdout).trim()}`)
  return parseMetricsReport(result.stdout)
}
