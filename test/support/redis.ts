/**
 * Real Redis for integration tests: the shared server named by TEST_REDIS_URL
 * (keys are prefixed per suite), and private servers a test may stop and start.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
}

/** A fresh key prefix, so suites sharing one Redis never see each other's keys. */
export function keyPrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`
}

export async function assertRedisReachable(url = testRedisUrl()): Promise<void> {
  const { hostname, port } = new URL(url)
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) })
    socket.setTimeout(3000, () => socket.destroy(new Error('timed out')))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (chunk) => {
      resolve(chunk.toString())
      socket.end()
    })
    socket.once('error', reject)
  }).catch((error: Error) => error.message)
  if (!reply.startsWith('+PONG')) {
    throw new Error(
      `Integration tests need Redis at ${hostname}:${port || 6379} (TEST_REDIS_URL), and it did not answer PING (${reply.trim()}).\n` +
        'Start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no) or set TEST_REDIS_URL.',
    )
  }
}

export interface PrivateRedis {
  readonly url: string
  start(): Promise<void>
  stop(): Promise<void>
}

/** A redis-server of the test's own, on a free port, that it can stop and restart. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const url = `redis://127.0.0.1:${port}`
  const instance: PrivateRedis = {
    url,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      )
      child.once('error', (error) => {
        throw new Error(`cannot start redis-server (is it installed?): ${error.message}`)
      })
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          await assertRedisReachable(url)
          return
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      }
      throw new Error(`redis-server on port ${port} did not start`)
    },
    async stop() {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null) return
      await new Promise((resolve) => {
        running.once('exit', resolve)
        running.kill('SIGKILL')
      })
    },
  }
  await instance.start()
  return instance
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
