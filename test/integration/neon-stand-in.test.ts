/**
 * The local Neon stand-in under bad input: each bad request is refused or its
 * connection closed with an error, it never relays to another address, and it
 * keeps serving everyone else.
 */
import { connect } from 'node:net'
import { NeonDbError, neon, neonConfig } from '@neondatabase/serverless'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import { createDatabase, type Database } from '@serverless-dal/repository'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { allDrivers } from '../support/drivers.ts'
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.ts'

let scratch: ScratchDatabase
let standIn: NeonStandIn
let database: Database
let upstream: string

beforeAll(async () => {
  scratch = await createScratchDatabase('stand_in')
  upstream = new URL(scratch.url).host
  standIn = await startNeonStandIn({ upstreamUrl: scratch.url, maxMessageBytes: 64 * 1024, maxBodyBytes: 64 * 1024 })
  neonConfig.fetchEndpoint = standIn.httpEndpoint
  database = createDatabase(
    {
      driver: 'neon-pool',
      connectionString: scratch.url,
      proxy: { webSocketUrl: standIn.webSocketUrl },
    },
    allDrivers,
  )
})

afterAll(async () => {
  await database?.dispose()
  await standIn?.close()
  await scratch?.drop()
})

/** After every bad request: both protocols still answer. */
async function expectStillServing() {
  expect((await sql<{ ok: number }>`select 1 as ok`.execute(database.db)).rows).toEqual([{ ok: 1 }])
  expect(await neon(scratch.url)`select 2 as ok`).toEqual([{ ok: 2 }])
}

function upgradeStatus(address: string, path = '/v1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = `${standIn.webSocketUrl.replace('/v1', path)}?address=${address}`
    const socket = new WebSocket(url)
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    socket.on('open', () => {
      socket.close()
      reject(new Error(`upgrade to ${address} was accepted`))
    })
    socket.on('error', () => {})
  })
}

function closeOf(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.on('close', (code) => resolve(code)))
}

function openTunnel(): Promise<WebSocket> {
  const socket = new WebSocket(`${standIn.webSocketUrl}?address=${upstream}`)
  socket.on('error', () => {})
  return new Promise((resolve, reject) => {
    socket.on('open', () => resolve(socket))
    socket.on('unexpected-response', () => reject(new Error('tunnel refused')))
  })
}

async function postSql(body: string, headers: Record<string, string> = {}, method = 'POST') {
  const response = await fetch(standIn.httpEndpoint, {
    method,
    headers: { 'Neon-Connection-String': scratch.url, 'Content-Type': 'application/json', ...headers },
    ...(method === 'POST' && { body }),
  })
  return { status: response.status, body: (await response.json()) as { message?: string } }
}

describe('the WebSocket proxy', () => {
  it('refuses every address but its configured upstream, before opening any connection', async () => {
    const [host, port] = upstream.split(':')
    const tunnelsBefore = standIn.openTunnels()
    for (const address of [`example.com:${port}`, `${host}:6379`, `localhost:${port}`, `10.0.0.1:${port}`]) {
      expect(await upgradeStatus(address)).toBe(403)
    }
    expect(await upgradeStatus('no-port-given')).toBe(400)
    expect(await upgradeStatus(upstream, '/elsewhere')).toBe(404)
    expect(standIn.openTunnels()).toBe(tunnelsBefore)
    await expectStillServing()
  })

  it('closes a tunnel that receives bytes that are not a WebSocket frame', async () => {
    const url = new URL(standIn.webSocketUrl)
    const raw = connect(Number(url.port), url.hostname)
    const closed = new Promise<string>((resolve) => {
      let received = ''
      raw.on('data', (chunk) => {
        received += chunk.toString('latin1')
        if (received.includes('\r\n\r\n') && received.startsWith('HTTP/1.1 101')) {
          raw.write(Buffer.from([0xff, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef]))
        }
      })
      raw.on('close', () => resolve(received))
      raw.on('error', () => {})
    })
    raw.write(
      `GET ${url.pathname}?address=${upstream} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    expect(await closed).toMatch(/^HTTP\/1\.1 101/)
    await expectStillServing()
  })

  it('closes a tunnel whose frames carry garbage instead of the Postgres protocol', async () => {
    const socket = await openTunnel()
    const closed = closeOf(socket)
    socket.send(Buffer.from('this is not a postgres startup message, not even close'.repeat(4)))
    expect(await closed).toBeGreaterThan(0)
    await expectStillServing()
  })

  it('closes a tunnel with 1009 when a message is over the size limit', async () => {
    const socket = await openTunnel()
    const closed = closeOf(socket)
    socket.send(Buffer.alloc(64 * 1024 + 1))
    expect(await closed).toBe(1009)
    await expect.poll(() => standIn.openTunnels()).toBeLessThanOrEqual(1)
    await expectStillServing()
  })
})

describe('the HTTP SQL endpoint', () => {
  it('answers malformed requests with a 4xx JSON error', async () => {
    const cases: Array<[string, Record<string, string>, number, RegExp]> = [
      ['{"query": "select 1"', {}, 400, /not valid JSON/],
      ['[1, 2]', {}, 400, /JSON object/],
      ['{"params": []}', {}, 400, /"query"/],
      ['{"query": "select $1", "params": [{"a": 1}]}', {}, 400, /params\[0\]/],
      ['{"queries": []}', {}, 400, /non-empty array/],
      ['{"queries": [{"query": "select 1"}]}', { 'Neon-Batch-Isolation-Level': 'Chaos' }, 400, /Isolation-Level/],
      ['{"query": "select 1"}', { 'Neon-Connection-String': 'not a url' }, 400, /not a valid URL/],
      ['{"query": "select 1"}', { 'Neon-Connection-String': 'postgres://u@evil.example:5432/db' }, 403, /only relays/],
      [JSON.stringify({ query: `select '${'x'.repeat(70 * 1024)}'` }), {}, 413, /larger than/],
    ]
    for (const [body, headers, status, message] of cases) {
      const answer = await postSql(body, headers)
      expect({ body, status: answer.status }).toEqual({ body, status })
      expect(answer.body.message).toMatch(message)
    }
    expect((await postSql('', {}, 'GET')).status).toBe(405)
    await expectStillServing()
  })

  it('refuses a request without a connection string', async () => {
    const response = await fetch(standIn.httpEndpoint, { method: 'POST', body: '{"query":"select 1"}' })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ message: 'missing Neon-Connection-String header' })
  })
})

describe('an unreachable upstream', () => {
  it('answers each request with a 502 JSON error instead of hanging', async () => {
    const dead = await startNeonStandIn({ upstreamUrl: 'postgres://postgres@127.0.0.1:1/none' })
    try {
      const response = await fetch(dead.httpEndpoint, {
        method: 'POST',
        headers: { 'Neon-Connection-String': 'postgres://postgres@127.0.0.1:1/none' },
        body: '{"query":"select 1"}',
      })
      expect(response.status).toBe(502)
      expect(((await response.json()) as { message: string }).message).toMatch(/cannot reach Postgres/)
    } finally {
      await dead.close()
    }
  })

  it('surfaces a dead upstream to neon() as a NeonDbError', async () => {
    const dead = await startNeonStandIn({ upstreamUrl: 'postgres://postgres@127.0.0.1:1/none' })
    const previous = neonConfig.fetchEndpoint
    neonConfig.fetchEndpoint = dead.httpEndpoint
    try {
      await expect(neon('postgres://postgres@127.0.0.1:1/none')`select 1`).rejects.toBeInstanceOf(NeonDbError)
    } finally {
      neonConfig.fetchEndpoint = previous
      await dead.close()
    }
  })
})
