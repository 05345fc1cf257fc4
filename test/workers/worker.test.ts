/** The Worker entry inside workerd (the Workers Vitest pool). */
import { SELF } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { metricTotal, validEmf } from '../support/emf.ts'

/** The EMF lines the Worker printed during the current test (kept off the test output). */
let printed: string[] = []
beforeEach(() => {
  printed = []
  const log = console.log
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('{"_aws"')) printed.push(args[0])
    else log(...args)
  })
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('the documents API in workerd', () => {
  it('answers /ping without touching the database', async () => {
    const response = await SELF.fetch('http://worker.test/ping')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('pong')
  })
})

describe('the Neon driver in workerd', () => {
  it('answers /health through a pool of its own for each request', async () => {
    for (let request = 0; request < 3; request++) {
      const response = await SELF.fetch('http://worker.test/health')
      expect(await response.json()).toEqual({ status: 'ok', db: 'ok', cache: 'disabled' })
      expect(response.status).toBe(200)
    }
  })
})

describe('Powertools metrics in workerd', () => {
  it('prints one valid EMF line for a request', async () => {
    const response = await SELF.fetch('http://worker.test/ping', { headers: { 'cf-ray': 'ray-123' } })
    expect(response.status).toBe(200)

    const documents = printed.map(validEmf).filter((d) => d.requestId === 'ray-123')
    expect(documents).toHaveLength(1)
    expect(metricTotal(documents, 'Requests', { route: 'GET /ping' })).toBe(1)
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']])
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Namespace).toBe('ServerlessDal')
    expect(documents[0]?.service).toBe('documents-api')
  })
})
