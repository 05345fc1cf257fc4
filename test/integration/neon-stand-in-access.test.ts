/**
 * Who can use the local Neon stand-in. Each test performs an attack on it — a
 * caller without the per-start secret, a cross-site page, a DNS-rebound name,
 * a flood of tunnels, a run of distinct connection strings — and checks that
 * it is refused (or, for the last, absorbed) while the printed URLs keep
 * working through the real Neon driver.
 */
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { neon, neonConfig } from '@neondatabase/serverless'
import { type NeonStandIn, startNeonStandIn } from '@serverless-dal/local-services'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../support/postgres.ts'

let scratch: ScratchDatabase
let standIn: NeonStandIn
let upstream: string
/** `/<secret>/v1` and `/<secret>/sql`: the paths of the URLs the stand-in returned. */
let tunnelPath: string
let sqlPath: string

beforeAll(async () => {
  scratch = await createScratchDatabase('stand_in_access')
  upstream = new URL(scratch.url).host
  standIn = await startNeonStandIn({ upstreamUrl: scratch.url })
  tunnelPath = new URL(standIn.webSocketUrl).pathname
  sqlPath = new URL(standIn.httpEndpoint).pathname
})

afterAll(async () => {
  await standIn?.close()
  await scratch?.drop()
})

interface Answer {
  status: number
  body: string
}

/** A raw HTTP request, so Host and Origin can be whatever an attacker's page would send. */
function send(
  target: NeonStandIn,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port: target.port, path, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString()
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      },
    )
    // 101: the stand-in switched protocols, i.e. a tunnel to Postgres was opened. Close it at once.
    outgoing.on('upgrade', (_response, socket) => {
      socket.destroy()
      resolve({ status: 101, body: '' })
    })
    outgoing.on('error', reject)
    outgoing.end(options.body)
  })
}

/** A WebSocket upgrade to `path` asking for the upstream, as the Neon driver sends it. */
function upgrade(path: string, headers: Record<string, string> = {}, target = standIn): Promise<Answer> {
  return send(target, `${path}?address=${upstream}`, {
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...headers,
    },
  })
}

function postSql(path: string, headers: Record<string, string> = {}, connectionString = scratch.url) {
  return send(standIn, path, {
    method: 'POST',
    headers: { 'Neon-Connection-String': connectionString, 'Content-Type': 'application/json', ...headers },
    body: '{"query":"select current_database() as db","params":[]}',
  })
}

/** Checks one attack's answer; the label rides along so a failure names the case. */
async function expectStatus(label: string, answer: Promise<Answer>, status: number) {
  expect({ label, status: (await answer).status }).toEqual({ label, status })
}

/** Waits for tunnels an earlier test opened to close, so a new one would show. */
async function noTunnelsOpen() {
  await expect.poll(() => standIn.openTunnels()).toBe(0)
}

function openTunnel(target: NeonStandIn): Promise<WebSocket> {
  const socket = new WebSocket(`${target.webSocketUrl}?address=${upstream}`)
  socket.on('error', () => {})
  return new Promise((resolve, reject) => {
    socket.on('open', () => resolve(socket))
    socket.on('unexpected-response', (_request, response) => reject(new Error(`refused: ${response.statusCode}`)))
  })
}

describe('the per-start secret', () => {
  it('refuses tunnels, /sql and /stats without it or with a wrong one, without telling it', async () => {
    const secret = tunnelPath.split('/')[1] ?? ''
    const wrong = randomBytes(32).toString('base64url')
    await noTunnelsOpen()
    for (const path of [
      '/v1',
      '/v2',
      `/${wrong}/v1`,
      `/${secret.slice(0, -1)}/v1`,
      `/${secret}x/v1`,
      `/v1/${secret}`,
    ]) {
      const answer = upgrade(path)
      await expectStatus(path, answer, 401)
      expect((await answer).body).not.toContain(secret)
    }
    for (const path of ['/sql', `/${wrong}/sql`, `/sql/${secret.toUpperCase()}`]) {
      const answer = postSql(path)
      await expectStatus(path, answer, 401)
      expect((await answer).body).toMatch(/printed at its start/)
      expect((await answer).body).not.toContain(secret)
    }
    expect((await send(standIn, '/stats')).status).toBe(401)
    expect(standIn.openTunnels()).toBe(0)

    // The Neon driver pointed at the stand-in without the secret gets nowhere either.
    const previous = neonConfig.fetchEndpoint
    neonConfig.fetchEndpoint = `http://127.0.0.1:${standIn.port}/sql`
    try {
      await expect(neon(scratch.url)`select 1`).rejects.toThrow(/401/)
    } finally {
      neonConfig.fetchEndpoint = previous
    }
  })

  it('admits the URLs it returned, through the unchanged Neon driver', async () => {
    expect((await upgrade(tunnelPath)).status).toBe(101)
    expect(JSON.parse((await postSql(sqlPath)).body)).toMatchObject({ rows: [{ db: scratch.name }] })
    expect(JSON.parse((await send(standIn, `${sqlPath.replace(/sql$/, 'stats')}`)).body)).toMatchObject({
      sqlRequests: expect.any(Number),
    })
    const previous = neonConfig.fetchEndpoint
    neonConfig.fetchEndpoint = standIn.httpEndpoint
    try {
      expect(await neon(scratch.url)`select 2 as n`).toEqual([{ n: 2 }])
    } finally {
      neonConfig.fetchEndpoint = previous
    }
  })

  it('refuses a secret that is short or not URL-safe', async () => {
    for (const secret of ['short', 'has/a/slash-in-it-0123', 'spaces are not url safe']) {
      await expect(startNeonStandIn({ upstreamUrl: scratch.url, secret })).rejects.toThrow(/at least 16 characters/)
    }
  })
})

describe('a page on another site', () => {
  it('cannot open a tunnel: a WebSocket with a foreign Origin is refused before the upgrade', async () => {
    await noTunnelsOpen()
    for (const origin of [
      'https://evil.example',
      'http://localhost.evil.example',
      'http://127.0.0.1.evil.example:4444',
      'null', // a sandboxed frame or a file:// page
    ]) {
      await expectStatus(origin, upgrade(tunnelPath, { Origin: origin }), 403)
    }
    expect(standIn.openTunnels()).toBe(0)
    expect((await postSql(sqlPath, { Origin: 'https://evil.example' })).status).toBe(403)
  })

  it('still lets pages on this machine in', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8787', 'https://[::1]']) {
      await expectStatus(origin, upgrade(tunnelPath, { Origin: origin }), 101)
    }
  })
})

describe('DNS rebinding', () => {
  it('is refused: a request whose Host names another site or port gets a 403', async () => {
    await noTunnelsOpen()
    for (const host of [`evil.example:${standIn.port}`, 'evil.example', `127.0.0.1:${standIn.port + 1}`]) {
      await expectStatus(`/sql as ${host}`, postSql(sqlPath, { Host: host }), 403)
      await expectStatus(`/v1 as ${host}`, upgrade(tunnelPath, { Host: host }), 403)
      await expectStatus(`/health as ${host}`, send(standIn, '/health', { headers: { Host: host } }), 403)
    }
    expect(standIn.openTunnels()).toBe(0)
    for (const host of [`localhost:${standIn.port}`, `127.0.0.1:${standIn.port}`, `[::1]:${standIn.port}`]) {
      await expectStatus(host, postSql(sqlPath, { Host: host }), 200)
    }
  })
})

describe('the tunnel bound', () => {
  it('refuses tunnels past maxTunnels with 503, and admits again once one closes', async () => {
    const bounded = await startNeonStandIn({ upstreamUrl: scratch.url, maxTunnels: 3 })
    const path = new URL(bounded.webSocketUrl).pathname
    const open = [await openTunnel(bounded), await openTunnel(bounded), await openTunnel(bounded)]
    try {
      expect((await upgrade(path, {}, bounded)).status).toBe(503)
      await expect(openTunnel(bounded)).rejects.toThrow(/503/)
      expect(bounded.openTunnels()).toBe(3)

      open.pop()?.close()
      await expect.poll(async () => (await upgrade(path, {}, bounded)).status).toBe(101)
    } finally {
      for (const socket of open) socket.close()
      await bounded.close()
    }
  })
})

describe('the /sql pools', () => {
  const others: ScratchDatabase[] = []
  afterAll(async () => {
    for (const database of others) await database.drop()
  })

  it('closes the least recently used pool for a 17th connection string instead of refusing it', async () => {
    for (let i = 0; i < 17; i++) others.push(await createScratchDatabase(`stand_in_pool_${i}`))
    const all = [scratch, ...others] // 18 distinct connection strings; the stand-in keeps 16 pools
    const answers = await Promise.all(all.map((database) => postSql(sqlPath, {}, database.url)))
    expect(answers.map((answer) => answer.status)).toEqual(all.map(() => 200))
    expect(JSON.parse((await postSql(sqlPath)).body)).toMatchObject({ rows: [{ db: scratch.name }] })

    // Evicted pools are ended, not left holding their connections until they idle out.
    const names = all.map((database) => database.name)
    const admin = new pg.Client({ connectionString: testDatabaseUrl() })
    await admin.connect()
    try {
      const connected = async () =>
        (
          await admin.query<{ n: number }>(
            'select count(distinct datname)::int as n from pg_stat_activity where datname = any($1)',
            [names],
          )
        ).rows[0]?.n
      await expect.poll(connected).toBeLessThanOrEqual(16)
    } finally {
      await admin.end()
    }
  })
})
