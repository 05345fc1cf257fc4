/** The one table of variables: every value checked, refused by name with what is accepted, and the docs kept in step. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIGURATION_DOC_PATH, configurationDoc } from './configuration-doc.ts'
import { ConfigError, loadCommandConfig, loadServiceConfig } from './load-config.ts'
import { SERVICE_VARIABLES } from './variables.ts'

const STRONG = 'x'.repeat(32)

describe('the service configuration', () => {
  it('parses each value into what the code uses, and leaves the unset ones out', () => {
    const config = loadServiceConfig({
      DATABASE_URL: 'postgres://u:p@db.example/app',
      DATABASE_POOL_MAX: ' 8 ',
      JWT_SECRET: STRONG,
      HOT_KEY_SAMPLE_EVERY: '5',
      CACHE_MEMORY: 'off',
      POWERTOOLS_METRICS_DISABLED: 'TRUE',
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'https://app.example, http://localhost:5173',
      RATE_LIMIT_REQUESTS: '',
      PATH: '/usr/bin', // not the service's: ignored
    })
    expect(config).toEqual({
      DATABASE_URL: 'postgres://u:p@db.example/app',
      DATABASE_POOL_MAX: 8,
      JWT_SECRET: STRONG,
      HOT_KEY_SAMPLE_EVERY: 5,
      CACHE_MEMORY: 'off',
      POWERTOOLS_METRICS_DISABLED: true,
      LOG_LEVEL: 'DEBUG',
      CORS_ORIGINS: ['https://app.example', 'http://localhost:5173'],
    })
  })

  it.each([
    ['HOT_KEY_SAMPLE_EVERY', 'often', 'a whole number from 1 to 999999999'],
    ['CACHE_MEMORY_MAX_BYTES', '32MB', 'a whole number from 1024 to 999999999'],
    ['CACHE_MEMORY', 'no', 'one of on, off'],
    ['DATABASE_DRIVER', 'mysql', 'one of neon, neon-pool, neon-http, pg'],
    ['DATABASE_POOL_MAX', '0', 'a whole number from 1 to 1000'],
    ['NEON_WS_PROXY', 'http://127.0.0.1:4444/v1', 'a URL starting with ws:// or wss://'],
    ['POWERTOOLS_METRICS_DISABLED', 'yes', 'true or false'],
    ['LOG_LEVEL', 'verbose', 'one of DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT'],
    ['CORS_ORIGINS', 'app.example', 'a comma-separated list of origins'],
    ['CORS_ORIGINS', '*,https://app.example', 'a comma-separated list of origins'],
    ['CORS_ORIGINS', 'https://App.example:443', 'a comma-separated list of origins'],
    ['CACHE_NAMESPACE', 'my namespace', '1 to 64 of'],
    ['WARM_BUDGET_MS', '-1', 'a whole number from 1'],
  ])('refuses %s=%s, saying what it accepts', (name, value, accepted) => {
    expect(() => loadServiceConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadServiceConfig({ [name]: value })).toThrow(`${name} must be ${accepted}`)
    expect(() => loadServiceConfig({ [name]: value })).toThrow(JSON.stringify(value))
  })

  it('names every bad variable at once, and never repeats a secret', () => {
    const attempt = () =>
      loadServiceConfig({
        JWT_SECRET: 'short-secret',
        DATABASE_URL: 'mysql://root:hunter2@db/app',
        SLOW_QUERY_MS: 'slow',
      })
    expect(attempt).toThrow(/DATABASE_URL must be a URL.*JWT_SECRET must be at least 32 bytes.*SLOW_QUERY_MS must be/)
    expect(attempt).not.toThrow(/short-secret|hunter2/)
  })

  it('refuses variables that mean nothing alone', () => {
    expect(() => loadServiceConfig({ RATE_LIMIT_WINDOW_S: '60' })).toThrow('RATE_LIMIT_WINDOW_S is set but')
    expect(() => loadServiceConfig({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' })).toThrow(
      'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN go together',
    )
  })

  it("ignores a Worker's bindings, which are not text", () => {
    expect(loadServiceConfig({ ASSETS: { fetch() {} }, JWT_SECRET: STRONG })).toEqual({ JWT_SECRET: STRONG })
  })
})

describe("a command's configuration", () => {
  it('reads only the variables it names, checked the same way', () => {
    expect(loadCommandConfig({ PORT: '0', SERVICES_DELAY_MS: 'x' }, ['PORT'])).toEqual({ PORT: 0 })
    expect(() => loadCommandConfig({ SERVICES_DELAY_MS: '5ms' }, ['SERVICES_DELAY_MS'])).toThrow(
      'SERVICES_DELAY_MS must be a whole number from 0 to 10000, not "5ms"',
    )
  })
})

describe('docs/configuration.md', () => {
  it('is what the table makes (npm run docs:config rewrites it)', () => {
    const committed = readFileSync(new URL(`../../../${CONFIGURATION_DOC_PATH}`, import.meta.url), 'utf8')
    expect(committed).toBe(configurationDoc())
  })

  it('lists every variable the service reads', () => {
    for (const name of Object.keys(SERVICE_VARIABLES)) expect(configurationDoc()).toContain(`| \`${name}\` |`)
  })
})
