import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'
import { SOURCE_CONDITION } from './infra/build/conditions.ts'
import { WORKERS_TEST_JWT_SECRET } from './test/support/workers-secret.ts'

// wrangler (inside the Workers pool) reaches the network unless told not to; CI=true is not enough.
process.env.WRANGLER_SEND_METRICS = 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
process.env.WRANGLER_HIDE_BANNER = 'true'

/**
 * The workspace's packages resolve to their TypeScript sources (infra/build/conditions.ts) in every
 * environment Vitest resolves in: Vite's default lists with our condition added (`ssrDefaults`: the
 * server's on Node, the client's for the Workers plugin's `webworker` target), and `__vitest__`,
 * where global setups run, whose own list Vitest sets and Vite extends with ours.
 */
function fromSources(ssrDefaults: readonly string[]) {
  return {
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...ssrDefaults] } },
    environments: { __vitest__: { resolve: { conditions: [SOURCE_CONDITION] } } },
  }
}

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './functions/documents-api/worker.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                DATABASE_URL: inject('databaseUrl'),
                NEON_WS_PROXY: inject('neonWsProxy'),
                NEON_HTTP_ENDPOINT: inject('neonHttpEndpoint'),
                UPSTASH_REDIS_REST_URL: inject('upstashUrl'),
                UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
                CACHE_NAMESPACE: inject('cacheNamespace'),
                HOT_KEY_SAMPLE_EVERY: '1',
                JWT_SECRET: WORKERS_TEST_JWT_SECRET,
              },
            },
          })),
        ],
        // the plugin adds workerd's conditions to these
        ...fromSources(defaultClientConditions),
        // Runs test/workers inside workerd, against the Worker entry and wrangler.toml.
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          globalSetup: ['test/support/workers-setup.ts'],
        },
      },
      {
        ...fromSources(defaultServerConditions),
        test: {
          name: 'unit',
          include: ['packages/**/*.test.ts', 'functions/**/*.test.ts', 'infra/**/*.test.ts'],
        },
      },
      {
        ...fromSources(defaultServerConditions),
        // The examples need no service: PGlite and the memory tier.
        test: {
          name: 'examples',
          include: ['examples/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        ...fromSources(defaultServerConditions),
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // PGlite takes seconds to start and hundreds of MB: keep parallelism modest
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...fromSources(defaultServerConditions),
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // faults and load: one file at a time, so figures are not skewed by each other
          maxWorkers: 1,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
