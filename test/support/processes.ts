/** Runs the project's own commands (the scripts behind npm run) as child processes. */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { SOURCE_CONDITION_FLAG } from '../../infra/build/conditions.ts'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export interface Started {
  readonly child: ChildProcess
  /** Everything written to stdout so far. */
  stdout(): string
  stop(): Promise<number | null>
}

/** Starts a TypeScript entry with tsx on this Node, waiting until stdout matches `ready`. */
export async function startScript(script: string, env: Record<string, string>, ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, [SOURCE_CONDITION_FLAG, '--import', 'tsx', script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk) => {
    out += chunk
  })
  child.stderr?.on('data', (chunk) => {
    err += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready.test(out)) {
        clearInterval(timer)
        resolve()
      }
    }, 25)
    void exited.then((code) => {
      clearInterval(timer)
      reject(new Error(`${script} exited with ${code} before it was ready.\nstdout: ${out}\nstderr: ${err}`))
    })
  })
  return {
    child,
    stdout: () => out,
    async stop() {
      child.kill('SIGTERM')
      return exited
    },
  }
}

/** Runs a TypeScript entry to completion. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SOURCE_CONDITION_FLAG, '--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** `KEY=value` lines of a command's output, as an object. */
export function envLines(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split('\n')
      .map((line) => line.match(/^([A-Z][A-Z0-9_]*)=(.*)$/))
      .filter((match): match is RegExpMatchArray => match !== null)
      .map((match) => [match[1] as string, match[2] as string]),
  )
}

/** `npm run services` for one database, on free ports, with the test Redis; ready once it printed its variables. */
export function startServices(databaseUrl: string, redisUrl: string): Promise<Started> {
  return startScript(
    'infra/local-services/bin/services.ts',
    {
      SERVICES_DATABASE_URL: databaseUrl,
      SERVICES_REDIS_URL: redisUrl,
      NEON_STANDIN_PORT: '0',
      UPSTASH_BRIDGE_PORT: '0',
    },
    /UPSTASH_REDIS_REST_TOKEN=/,
  )
}
