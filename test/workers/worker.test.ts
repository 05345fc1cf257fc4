/** The Worker entry inside workerd (the Workers Vitest pool). */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

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
