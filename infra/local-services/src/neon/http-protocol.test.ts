import { describe, expect, it } from 'vitest'
import { batchBegin, parseSqlRequest, RequestError } from './http-protocol.ts'
import { isUpstream } from './upstream.ts'

describe('parseSqlRequest', () => {
  it('reads a single query and a batch, defaulting params to none', () => {
    expect(parseSqlRequest('{"query":"select $1","params":["a",1,true,null]}')).toEqual({
      kind: 'single',
      query: { query: 'select $1', params: ['a', 1, true, null] },
    })
    expect(parseSqlRequest('{"queries":[{"query":"select 1"}]}')).toEqual({
      kind: 'batch',
      queries: [{ query: 'select 1', params: [] }],
    })
  })

  it.each([
    ['', /not valid JSON/],
    ['null', /JSON object/],
    ['{"query":""}', /non-empty string "query"/],
    ['{"query":"select 1","params":{}}', /params must be an array/],
    ['{"query":"select 1","params":[[1]]}', /params\[0\]/],
    ['{"queries":[{"query":"select 1"},{"nope":1}]}', /queries\[1\]/],
  ])('answers %j with a 400 that says what is wrong', (body, message) => {
    const error = (() => {
      try {
        parseSqlRequest(body)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(RequestError)
    expect(error).toMatchObject({ status: 400, message: expect.stringMatching(message) })
  })
})

describe('batchBegin', () => {
  it('maps the Neon-Batch headers to a BEGIN', () => {
    expect(batchBegin({})).toBe('begin')
    expect(batchBegin({ isolationLevel: 'Serializable', readOnly: 'true', deferrable: 'true' })).toBe(
      'begin isolation level serializable, read only, deferrable',
    )
    expect(batchBegin({ readOnly: 'false' })).toBe('begin read write')
  })

  it('refuses values it does not know rather than passing them into SQL', () => {
    expect(() => batchBegin({ isolationLevel: 'Serializable; drop table x' })).toThrow(RequestError)
    expect(() => batchBegin({ readOnly: 'yes' })).toThrow(RequestError)
  })
})

describe('isUpstream', () => {
  it('matches only the literal configured host and port', () => {
    const upstream = { host: '127.0.0.1', port: 5432 }
    expect(isUpstream(upstream, '127.0.0.1', '5432')).toBe(true)
    expect(isUpstream(upstream, 'localhost', '5432')).toBe(false)
    expect(isUpstream(upstream, '127.0.0.1', 6379)).toBe(false)
    expect(isUpstream(upstream, '127.0.0.1.evil.example', 5432)).toBe(false)
  })
})
