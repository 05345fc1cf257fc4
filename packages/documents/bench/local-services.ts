/**
 * Starts `npm run services` for a scratch database in a child process, so a
 * benchmark's own CPU figures exclude the stand-ins, and returns the
 * variables it prints.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { SOURCE_CONDITION_FLAG } from '../../../infra/build/conditions.ts'

export interface BenchServices {
  databaseUrl: string
  env: Record<string, string>
  stop(): Promise<void>
}

export async function startBenchServices(adminUrl: string): Promise<BenchServices> {
  const name = `dal_bench_${randomBytes(4).toString('hex')}`
  const databaseUrl = new URL(adminUrl)
  databaseUrl.pathname = `/${name}`
  await admin(adminUrl, `create database ${name}`)
  const child = spawn(
    process.execPath,
    [SOURCE_CONDITION_FLAG, '--import', 'tsx', 'infra/local-services/bin/services.ts'],
    {
      env: {
        ...process.env,
        SERVICES_DATABASE_URL: databaseUrl.href,
        NEON_STANDIN_PORT: '0',
        UPSTASH_BRIDGE_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      if (out.includes('UPSTASH_REDIS_REST_TOKEN=')) {
        resolve(
          Object.fromEntries(
            out.split('\n').flatMap((line) => (line.includes('=') ? [line.split(/=(.*)/s).slice(0, 2)] : [])),
          ),
        )
      }
    })
    child.once('exit', (code) => reject(new Error(`npm run services exited with ${code}`)))
  })
  return {
    databaseUrl: databaseUrl.href,
    env,
    async stop() {
      child.kill('SIGTERM')
      await admin(adminUrl, `drop database if exists ${name} with (force)`)
    },
  }
}

/** Runs one statement on `url` (create or drop a scratch database). */
export async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}
