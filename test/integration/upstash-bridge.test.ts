/**
 * The Upstash bridge over raw HTTP: auth, every kind of bad input, the exact
 * shape of answers, many concurrent clients, and a Redis that goes away and
 * comes back.
 */
import { createHash } from 'node:crypto'
import { startUpstashBridge, type UpstashBridge } from '@serverless-dal/local-services'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyPrefix, privateRedis, testRedisUrl } from '../support/redis.ts'

let bridge: UpstashBridge
const prefix = keyPrefix('bridge')
const k = (name: string) => `${prefix}${name}`

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: testRedisUrl(), token: 'raw-token' })
})
afterAll(() => bridge?.close())

interface Answer {
  status: number
  body: unknown
  headers: Headers
}

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  target = bridge,
): Promise<Answer> {
  const response = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${target.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: response.status, body: await response.json(), headers: response.headers }
}

const base64 = { 'Upstash-Encoding': 'base64' }
const b64 = (text: string) => Buffer.from(text).toString('base64')

describe('authorization', () => {
  it('answers a missing or wrong token with 401 and a JSON error', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      'Bearer raw-token-and-more',
      'Basic raw-token',
      'Bearer ',
    ]) {
      const response = await fetch(bridge.url, {
        method: 'POST',
        headers: authorization ? { Authorization: authorization } : {},
        body: '["PING"]',
      })
      expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 })
      expect(await response.json()).toEqual({ error: 'Unauthorized' })
    }
    expect((await post('/', ['PING'])).status).toBe(200)
  })
})

describe('bad input', () => {
  it('answers each with a 4xx JSON error that says what was wrong, and keeps serving', async () => {
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['/', '{"not json"', 400, /not valid JSON/],
      ['/', { command: 'GET' }, 400, /must be a JSON array/],
      ['/', [], 400, /empty command/],
      ['/', ['SET', k('x'), { nested: true }], 400, /\[2\] must be a string or a number/],
      ['/', ['GET', null], 400, /\[1\] must be a string or a number/],
      ['/', ['NOPE', 'x'], 400, /^ERR unknown command 'NOPE'/],
      ['/', ['MULTI'], 400, /not available over the REST API/],
      ['/', ['BLPOP', k('l'), '0'], 400, /not available over the REST API/],
      ['/pipeline', [], 400, /no commands/],
      ['/pipeline', ['GET', 'x'], 400, /command 1 must be a JSON array/],
      ['/multi-exec', [['SET', k('t'), '1'], []], 400, /command 2 is an empty command/],
      ['/multi-exec', [['SELECT', '1']], 400, /not available over the REST API/],
    ]
    for (const [path, body, status, error] of cases) {
      const answer = await post(path, body)
      expect({ path, body, status: answer.status }).toEqual({ path, body, status })
      expect((answer.body as { error: string }).error).toMatch(error)
    }
    expect((await post('/', ['PING'])).body).toEqual({ result: 'PONG' })
  })

  it("refuses every admin command to a token holder, with Upstash's error shape, and serves data commands", async () => {
    for (const command of [
      ['FLUSHALL'],
      ['FLUSHDB'],
      ['CONFIG', 'SET', 'dir', '/tmp'],
      ['ACL', 'SETUSER', 'evil', 'on', '>pw', '+@all'],
      ['MIGRATE', '127.0.0.1', '9', k('x'), '0', '100'],
      ['DEBUG', 'SLEEP', '1'],
      ['SHUTDOWN'],
      ['MODULE', 'LIST'],
      ['FUNCTION', 'FLUSH'],
      ['SCRIPT', 'FLUSH'],
      ['SCRIPT', 'KILL'],
    ]) {
      const answer = await post('/', command)
      expect({ command, status: answer.status }).toEqual({ command, status: 400 })
      expect(answer.body).toEqual({ error: expect.stringMatching(/^ERR /) })
    }
    const piped = await post('/pipeline', [['SET', k('kept'), '1'], ['FLUSHALL'], ['GET', k('kept')]])
    expect(piped.body).toEqual([{ result: 'OK' }, { error: expect.stringMatching(/^ERR /) }, { result: '1' }])
    expect((await post('/', ['SCRIPT', 'LOAD', 'return 1'])).status).toBe(200)
  })

  it('refuses a body over 10 MB with 413', async () => {
    const answer = await post('/', ['SET', k('big'), 'x'.repeat(10 * 1024 * 1024)])
    expect(answer.status).toBe(413)
    expect(answer.body).toEqual({ error: expect.stringMatching(/larger than 10485760 bytes/) })
    expect((await post('/', ['EXISTS', k('big')])).body).toEqual({ result: 0 })
  })

  it('refuses other methods and paths', async () => {
    const get = await fetch(`${bridge.url}/pipeline`, { headers: { Authorization: 'Bearer raw-token' } })
    expect(get.status).toBe(405)
    expect(await get.json()).toEqual({ error: expect.stringMatching(/GET is not supported/) })
    const elsewhere = await post('/get/foo', [])
    expect(elsewhere.status).toBe(404)
  })
})

describe('answers', () => {
  it('maps RESP faithfully: integers, nil, nested arrays, flat maps, statuses', async () => {
    await post('/', ['HSET', k('h'), 'f1', 'v1', 'f2', 'v2'])
    expect((await post('/', ['HGETALL', k('h')])).body).toEqual({ result: ['f1', 'v1', 'f2', 'v2'] })
    expect((await post('/', ['GET', k('none')])).body).toEqual({ result: null })
    expect((await post('/', ['INCRBY', k('n'), 5])).body).toEqual({ result: 5 })
    expect((await post('/', ['EVAL', 'return {1, {"a", {2}}, "b"}', '0'])).body).toEqual({
      result: [1, ['a', [2]], 'b'],
    })
    expect((await post('/', ['TYPE', k('h')])).body).toEqual({ result: 'hash' })
    expect((await post('/', ['SET', k('s'), 'v'])).body).toEqual({ result: 'OK' })
  })

  it("takes Upstash's allow-key-locking script flag as Upstash does, by EVAL and by EVALSHA of the script sent", async () => {
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('incr', KEYS[1])"
    const sha1 = createHash('sha1').update(script).digest('hex')
    expect((await post('/', ['EVALSHA', sha1, '1', k('locked')])).body).toMatchObject({
      error: expect.stringMatching(/^NOSCRIPT/),
    })
    expect((await post('/', ['EVAL', script, '1', k('locked')])).body).toEqual({ result: 1 })
    expect((await post('/', ['EVALSHA', sha1, '1', k('locked')])).body).toEqual({ result: 2 })
    // other flags reach Redis as they are: a write under no-writes is refused
    const readOnly = "#!lua flags=no-writes,allow-key-locking\nreturn redis.call('incr', KEYS[1])"
    expect((await post('/', ['EVAL', readOnly, '1', k('locked')])).body).toMatchObject({
      error: expect.stringMatching(/Write commands are not allowed/),
    })
  })

  it('encodes every string in base64 when asked, but the top-level OK, numbers and nil', async () => {
    expect((await post('/', ['SET', k('e'), 'héllo'], base64)).body).toEqual({ result: 'OK' })
    expect((await post('/', ['GET', k('e')], base64)).body).toEqual({ result: b64('héllo') })
    expect((await post('/', ['PING'], base64)).body).toEqual({ result: b64('PONG') })
    expect((await post('/', ['GET', k('none')], base64)).body).toEqual({ result: null })
    expect((await post('/', ['EVAL', 'return {1, {"a"}}', '0'], base64)).body).toEqual({ result: [1, [b64('a')]] })
    expect(
      (
        await post(
          '/pipeline',
          [
            ['SET', k('e2'), 'OK'],
            ['GET', k('e2')],
          ],
          base64,
        )
      ).body,
    ).toEqual([{ result: 'OK' }, { result: b64('OK') }])
  })

  it('sends a sync token that grows with every answer', async () => {
    const first = Number((await post('/', ['PING'])).headers.get('upstash-sync-token'))
    const second = Number(
      (await post('/', ['PING'], { 'upstash-sync-token': String(first) })).headers.get('upstash-sync-token'),
    )
    expect(first).toBeGreaterThan(0)
    expect(second).toBeGreaterThan(first)
  })

  it('runs a pipeline past a failing and a refused command', async () => {
    await post('/', ['SET', k('str'), 'text'])
    const answer = await post('/pipeline', [
      ['INCR', k('str')],
      ['WATCH', k('str')],
      ['SET', k('after'), '1'],
      ['GET', k('after')],
    ])
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual([
      { error: 'ERR value is not an integer or out of range' },
      { error: expect.stringMatching(/not available/) },
      { result: 'OK' },
      { result: '1' },
    ])
  })

  it('runs multi-exec all or nothing: a queue-time error discards it all', async () => {
    const aborted = await post('/multi-exec', [
      ['SET', k('tx1'), 'a'],
      ['GET', k('tx1'), 'extra-argument'],
    ])
    expect(aborted.status).toBe(400)
    expect((aborted.body as { error: string }).error).toMatch(/^EXECABORT .*wrong number of arguments/)
    expect((await post('/', ['EXISTS', k('tx1')])).body).toEqual({ result: 0 })
  })

  it('reports a run-time error inside multi-exec in its entry, as Redis runs the rest', async () => {
    await post('/', ['SET', k('tx-str'), 'text'])
    const answer = await post('/multi-exec', [
      ['SET', k('tx2'), 'a'],
      ['INCR', k('tx-str')],
      ['GET', k('tx2')],
    ])
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'a' },
    ])
  })
})

describe('many clients', () => {
  it('gives each of 400 concurrent clients its own replies over a pool of 2 connections', async () => {
    const small = await startUpstashBridge({ redisUrl: testRedisUrl(), token: 't', poolSize: 2 })
    try {
      const clients = Array.from({ length: 400 }, async (_, i) => {
        const value = `value-${i}-${'x'.repeat(i % 50)}`
        await post('/', ['SET', k(`c${i}`), value], {}, small)
        const [single, pipelined] = await Promise.all([
          post('/', ['GET', k(`c${i}`)], {}, small),
          post(
            '/pipeline',
            [
              ['GET', k(`c${i}`)],
              ['STRLEN', k(`c${i}`)],
            ],
            {},
            small,
          ),
        ])
        return { i, single: single.body, pipelined: pipelined.body, value }
      })
      for (const { single, pipelined, value } of await Promise.all(clients)) {
        expect(single).toEqual({ result: value })
        expect(pipelined).toEqual([{ result: value }, { result: value.length }])
      }
    } finally {
      await small.close()
    }
  })

  it('drops a connection whose reply is late, so it can never answer someone else', async () => {
    // One connection; a script keeps Redis busy for 400 ms, past the 300 ms timeout.
    // Had the connection been kept, its late "late" reply would answer the next GET.
    const impatient = await startUpstashBridge({
      redisUrl: testRedisUrl(),
      token: 't',
      poolSize: 1,
      commandTimeoutMs: 300,
    })
    try {
      await post('/', ['SET', k('mine'), 'my value'], {}, impatient)
      const busyScript =
        'local t = redis.call("TIME"); local start = t[1] * 1000000 + t[2]; ' +
        'repeat t = redis.call("TIME") until t[1] * 1000000 + t[2] - start > 400000; return "late"'
      const slow = await post('/', ['EVAL', busyScript, '0'], {}, impatient)
      expect(slow.status).toBe(503)
      const mine = await post('/', ['GET', k('mine')], {}, impatient)
      expect(mine.body).toEqual({ result: 'my value' })
    } finally {
      await impatient.close()
    }
  })
})

describe('Redis down', () => {
  it('answers 5xx JSON errors while Redis is down and recovers by itself when it is back', async () => {
    const redis = await privateRedis()
    const own = await startUpstashBridge({ redisUrl: redis.url, token: 't' })
    try {
      expect((await post('/', ['SET', 'k', 'before'], {}, own)).body).toEqual({ result: 'OK' })
      await redis.stop()
      for (const [path, body] of [
        ['/', ['GET', 'k']],
        ['/pipeline', [['GET', 'k']]],
        ['/multi-exec', [['GET', 'k']]],
      ] as const) {
        const answer = await post(path, body, {}, own)
        expect(answer.status).toBe(503)
        expect((answer.body as { error: string }).error).toMatch(/^ERR Redis is unavailable/)
      }
      await redis.start()
      expect((await post('/', ['SET', 'k', 'after'], {}, own)).body).toEqual({ result: 'OK' })
      expect((await post('/', ['GET', 'k'], {}, own)).body).toEqual({ result: 'after' })
    } finally {
      await own.close()
      await redis.stop()
    }
  })
})
