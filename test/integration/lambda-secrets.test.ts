/**
 * The Lambda entry reading its secrets from Parameter Store, as deployed by
 * infra/template.yaml: the function's configuration holds only the parameters'
 * names (`DATABASE_URL_PARAMETER`, `JWT_SECRET_PARAMETER`), and the bundle, at
 * init, asks SSM's `GetParameters` (with decryption) through the AWS SDK the
 * runtime provides. SSM here is a local stand-in of its JSON protocol on a
 * loopback port (`AWS_ENDPOINT_URL_SSM`, as the SDK reads it); Postgres is real.
 * Each start is a process of its own, as an execution environment is.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { documentsMigrations } from '@serverless-dal/documents'
import { signToken } from '@serverless-dal/documents-api/http/auth.ts'
import { createDatabase, migrateToLatest } from '@serverless-dal/repository'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LAMBDA_BUILD } from '../../infra/build/build.ts'
import { allDrivers } from '../support/drivers.ts'
import { httpApiEvent } from '../support/http-api-event.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'

const JWT_SECRET = 'a-jwt-secret-that-lives-in-parameter-store'
const PARAMETERS: Record<string, string> = { '/dal/test/JWT_SECRET': JWT_SECRET }

let scratch: ScratchDatabase
let ssm: Server
let ssmEndpoint: string
let bundleDir: string
const requests: Array<{ target: string | undefined; names: string[]; decrypt: boolean; authorized: boolean }> = []

beforeAll(async () => {
  scratch = await createScratchDatabase('lambda_secrets')
  PARAMETERS['/dal/test/DATABASE_URL'] = scratch.url
  const database = createDatabase({ driver: 'pg', connectionString: scratch.url }, allDrivers)
  await migrateToLatest(database.db, documentsMigrations)
  await database.dispose()

  // Parameter Store's GetParameters as the SDK speaks it (AWS JSON 1.1)
  ssm = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Names: string[]; WithDecryption?: boolean }
    requests.push({
      target: request.headers['x-amz-target'] as string | undefined,
      names: body.Names,
      decrypt: body.WithDecryption === true,
      authorized: String(request.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential=AKIDLAMBDATEST/'),
    })
    response.setHeader('content-type', 'application/x-amz-json-1.1')
    response.end(
      JSON.stringify({
        Parameters: body.Names.filter((name) => name in PARAMETERS).map((name) => ({
          Name: name,
          Type: 'SecureString',
          Value: PARAMETERS[name],
          Version: 1,
          ARN: `arn:aws:ssm:eu-central-1:123456789012:parameter${name}`,
        })),
        InvalidParameters: body.Names.filter((name) => !(name in PARAMETERS)),
      }),
    )
  })
  ssm.listen(0, '127.0.0.1')
  await once(ssm, 'listening')
  ssmEndpoint = `http://127.0.0.1:${(ssm.address() as AddressInfo).port}`

  // Inside the repository, so that the bundle's `@aws-sdk/*` (left out, as the runtime provides it) resolves.
  await mkdir('node_modules/.cache', { recursive: true })
  bundleDir = await mkdtemp(join(process.cwd(), 'node_modules/.cache/dal-lambda-secrets-'))
  await build({
    ...LAMBDA_BUILD,
    entryPoints: ['functions/documents-api/lambda.ts'],
    outfile: join(bundleDir, 'index.mjs'),
    logLevel: 'silent',
  })
})

afterAll(async () => {
  ssm?.close()
  await scratch?.drop()
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true })
})

/**
 * Starts the bundle in a fresh process with `env`, invokes `handler` with one HTTP API event.
 * Asynchronously: the SSM stand-in answers from this process.
 */
async function startAndInvoke(env: Record<string, string>, path: string, headers: Record<string, string> = {}) {
  const event = httpApiEvent('GET', path, { headers, requestId: 'secrets' })
  const bundle = pathToFileURL(join(bundleDir, 'index.mjs')).href
  const script = `
    const entry = await import(${JSON.stringify(bundle)})
    const result = await entry.handler(${JSON.stringify(event)}, { awsRequestId: 'secrets', functionName: 'documents-api' })
    process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n')
    process.exit(0)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIDLAMBDATEST',
      AWS_SECRET_ACCESS_KEY: 'lambda-test-secret-access-key',
      AWS_ENDPOINT_URL_SSM: ssmEndpoint,
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...env,
    },
    timeout: 30_000,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const [status] = (await once(child, 'close')) as [number | null]
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '))
  return {
    status,
    stderr,
    result: line ? (JSON.parse(line.slice('RESULT '.length)) as { statusCode: number; body: string }) : undefined,
  }
}

describe('the Lambda entry with its secrets in Parameter Store', () => {
  it('reads them once at init and serves with them: the database and the token secret', async () => {
    requests.length = 0
    const token = await signToken(JWT_SECRET, { org: 'secrets-org', role: 'viewer' })
    const run = await startAndInvoke(
      { DATABASE_URL_PARAMETER: '/dal/test/DATABASE_URL', JWT_SECRET_PARAMETER: '/dal/test/JWT_SECRET' },
      '/documents',
      { authorization: `Bearer ${token}` },
    )
    expect(run.stderr).toBe('')
    expect(run.result?.statusCode).toBe(200)
    expect(JSON.parse(run.result?.body ?? '{}')).toEqual({ items: [], nextCursor: null })
    // one signed call, decrypting, for both
    expect(requests).toEqual([
      {
        target: 'AmazonSSM.GetParameters',
        names: ['/dal/test/DATABASE_URL', '/dal/test/JWT_SECRET'],
        decrypt: true,
        authorized: true,
      },
    ])
  })

  it('a token signed with another secret is refused: the secret really is the parameter', async () => {
    const token = await signToken('another-secret-that-is-long-enough-0123', { org: 'secrets-org', role: 'viewer' })
    const run = await startAndInvoke(
      { DATABASE_URL_PARAMETER: '/dal/test/DATABASE_URL', JWT_SECRET_PARAMETER: '/dal/test/JWT_SECRET' },
      '/documents',
      { authorization: `Bearer ${token}` },
    )
    expect(run.result?.statusCode).toBe(401)
  })

  it('fails init, naming the variable and the parameter, when a parameter does not exist', async () => {
    const run = await startAndInvoke(
      { DATABASE_URL_PARAMETER: '/dal/test/DATABASE_URL', JWT_SECRET_PARAMETER: '/dal/test/NO_SUCH_SECRET' },
      '/ping',
    )
    expect(run.status).not.toBe(0)
    expect(run.result).toBeUndefined()
    expect(run.stderr).toContain('JWT_SECRET_PARAMETER names /dal/test/NO_SUCH_SECRET, which does not exist')
    expect(run.stderr).not.toContain(scratch.url)
  })

  it('refuses a secret set both plainly and by parameter, and asks Parameter Store nothing with plain ones', async () => {
    requests.length = 0
    const both = await startAndInvoke(
      { DATABASE_URL: scratch.url, JWT_SECRET, JWT_SECRET_PARAMETER: '/dal/test/JWT_SECRET' },
      '/ping',
    )
    expect(both.status).not.toBe(0)
    expect(both.stderr).toContain('JWT_SECRET and JWT_SECRET_PARAMETER are both set')

    const plain = await startAndInvoke({ DATABASE_URL: scratch.url, JWT_SECRET, JWT_SECRET_PARAMETER: '' }, '/ping')
    expect(plain.result?.statusCode).toBe(200)
    expect(requests).toEqual([])
  })
})
