/**
 * Every environment variable the project reads, once: what it accepts, its
 * default, who reads it and what it means. The service's entries validate
 * theirs at start (`load-config.ts`), the commands theirs when they start,
 * and docs/configuration.md is generated from this table (`npm run
 * docs:config`; a test fails when the two drift).
 */
import { LOG_LEVELS } from '@serverless-dal/repository'
import { parseCorsOrigins } from '../http/cors.ts'
import { MIN_SECRET_BYTES } from '../http/jwt-secret.ts'
import { flag, type Kind, list, matching, oneOf, parsed, secret, text, url, wholeNumber } from './kinds.ts'

export interface Variable<T = unknown> {
  kind: Kind<T>
  /** A secret: a refusal never repeats its value. */
  sensitive?: boolean
  /** Who reads it: `app` (every entry of the service) or a command. */
  readBy: string
  meaning: string
  /** The default as the docs state it; the code's default is where the value is used. */
  default?: string
}

const variable = <T>(kind: Kind<T>, readBy: string, meaning: string, byDefault?: string): Variable<T> => ({
  kind,
  readBy,
  meaning,
  ...(byDefault !== undefined && { default: byDefault }),
})

/** A secret's refusal never repeats its value (it may be a password or a token). */
const sensitive = <T>(entry: Variable<T>): Variable<T> => ({ ...entry, sensitive: true })

/** What the service reads, on every runtime. */
export const SERVICE_VARIABLES = {
  DATABASE_URL: sensitive(
    variable(
      url(['postgres:', 'postgresql:']),
      'app, `db:migrate`',
      'Postgres URL; without it the embedded PGlite is used (`npm start` only; the Worker and the Lambda refuse to start)',
    ),
  ),
  DATABASE_DRIVER: variable(
    oneOf(['neon', 'neon-pool', 'neon-http', 'pg']),
    'app, `db:migrate`',
    'the driver; by default `neon` on Workers, `neon-pool` for Neon and `pg` for other Postgres',
  ),
  DATABASE_POOL_MAX: variable(wholeNumber(1, 1_000), 'app', 'connections per pool (Workers allow 6 per request)', '5'),
  NEON_WS_PROXY: variable(
    url(['ws:', 'wss:']),
    'app, `db:migrate`',
    'local WebSocket proxy, `ws://host:port/<secret>/v1` as `npm run services` prints it; unset in production',
  ),
  NEON_HTTP_ENDPOINT: variable(
    url(['http:', 'https:']),
    'app, `db:migrate`',
    'local `neon()` endpoint, `http://host:port/<secret>/sql` as printed; unset in production',
  ),
  PGLITE_DATA_DIR: variable(
    text('a directory'),
    'app, `db:migrate`',
    'where PGlite keeps its data (the package keeps it in memory)',
    '`.data/pglite` for `npm start`',
  ),
  JWT_SECRET: sensitive(
    variable(
      secret(MIN_SECRET_BYTES),
      'app, `npm run token`',
      'HS256 secret of Bearer tokens; required everywhere but the embedded default (the development secret)',
    ),
  ),
  JWT_MAX_LIFETIME_S: variable(wholeNumber(1), 'app', 'the longest a token may live (`exp` − `iat`), seconds', '86400'),
  JWT_ISSUER: variable(text(), 'app', 'when set, the `iss` every token must carry'),
  JWT_AUDIENCE: variable(text(), 'app', 'when set, the `aud` every token must carry'),
  CURSOR_SECRET: sensitive(variable(secret(16), 'app', 'signs pagination cursors', 'derived from `JWT_SECRET`')),
  UPSTASH_REDIS_REST_URL: variable(
    url(['http:', 'https:']),
    'app',
    'the shared cache tier (with the token); without both the cache is memory only',
  ),
  UPSTASH_REDIS_REST_TOKEN: sensitive(variable(text('the REST token'), 'app', 'the token of `UPSTASH_REDIS_REST_URL`')),
  CACHE_NAMESPACE: variable(
    matching(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 of `A-Z a-z 0-9 _ -`'),
    'app',
    'prefix of cache and rate-limit keys, for deployments sharing one Redis',
    '`dal`',
  ),
  CACHE_MEMORY: variable(oneOf(['on', 'off']), 'app', '`off`: no memory tier, every cached read goes to Redis', '`on`'),
  CACHE_MEMORY_MAX_BYTES: variable(wholeNumber(1_024), 'app', "the memory tier's byte cap per isolate", '33554432'),
  CACHE_CONSISTENCY_SAMPLE_EVERY: variable(
    wholeNumber(0),
    'app',
    'one cache hit in this many is re-read from the database to measure staleness (at most 1% of loads; 0: off)',
    '100',
  ),
  HOT_KEY_SAMPLE_EVERY: variable(wholeNumber(1), 'app', 'one cached read in this many is recorded as hot', '10'),
  WARM_BUDGET_MS: variable(wholeNumber(1), 'app', "the cache-warm job's time budget per scheduled run, ms", '20000'),
  RATE_LIMIT_REQUESTS: variable(
    wholeNumber(1),
    'app',
    'API requests an organization may make per window; unset: no limit ([rate limits](rate-limits.md))',
  ),
  RATE_LIMIT_WINDOW_S: variable(
    wholeNumber(1),
    'app',
    "the rate limit's window, seconds (only with `RATE_LIMIT_REQUESTS`)",
    '60',
  ),
  SLOW_QUERY_MS: variable(
    wholeNumber(1),
    'app',
    'a statement slower than this counts `SlowQuery` and logs a warning',
    '1000',
  ),
  POWERTOOLS_METRICS_DISABLED: variable(
    flag(),
    'app',
    '`true`: no metrics recorded or printed (Workers needs `false` set explicitly)',
    '`false`',
  ),
  POWERTOOLS_METRICS_NAMESPACE: variable(text(), 'app', 'CloudWatch namespace of the EMF metrics', '`ServerlessDal`'),
  POWERTOOLS_SERVICE_NAME: variable(text(), 'app', 'the `service` dimension and log key', '`documents-api`'),
  POWERTOOLS_DEV: variable(
    flag(),
    'app (Powertools)',
    "Powertools' development mode; under workerd it must be `true` (wrangler.toml sets it)",
    '`false`',
  ),
  LOG_LEVEL: variable(oneOf(LOG_LEVELS, true), 'app', 'the lowest level logged ([logging](logging.md))', '`INFO`'),
  CORS_ORIGINS: variable(
    parsed(
      'a comma-separated list of origins as browsers send them (`https://app.example.com`: lower case, no path, no default port), or `*` alone',
      parseCorsOrigins,
    ),
    'app',
    'the origins browsers may call the API from ([CORS](http-api.md#browsers)); unset: no CORS headers',
  ),
  DATABASE_URL_PARAMETER: variable(
    text('an SSM parameter name or ARN'),
    'Lambda',
    'the SecureString parameter holding `DATABASE_URL`, read once at init ([deploy-lambda.md](deploy-lambda.md)); set with `DATABASE_URL` too, the start is refused',
  ),
  JWT_SECRET_PARAMETER: variable(text('an SSM parameter name or ARN'), 'Lambda', 'the same for `JWT_SECRET`'),
  UPSTASH_REDIS_REST_TOKEN_PARAMETER: variable(
    text('an SSM parameter name or ARN'),
    'Lambda',
    'the same for `UPSTASH_REDIS_REST_TOKEN`',
  ),
  CURSOR_SECRET_PARAMETER: variable(
    text('an SSM parameter name or ARN'),
    'Lambda',
    'the same for `CURSOR_SECRET` (the template does not set it)',
  ),
} satisfies Record<string, Variable>

/** What the project's commands read, each when it starts. */
export const COMMAND_VARIABLES = {
  PORT: variable(wholeNumber(0, 65_535), '`npm start`', 'HTTP port (0 picks a free one)', '3000'),
  SERVICES_DATABASE_URL: variable(
    url(['postgres:', 'postgresql:']),
    '`npm run services`, `dev:worker`',
    'the Postgres behind the Neon stand-in (created if missing)',
    '`postgres://postgres@127.0.0.1:5432/serverless_dal`',
  ),
  SERVICES_REDIS_URL: variable(
    url(['redis:']),
    '`npm run services`',
    'the Redis behind the Upstash bridge',
    '`redis://127.0.0.1:6379`',
  ),
  SERVICES_DELAY_MS: variable(
    wholeNumber(0, 10_000),
    '`npm run services`',
    'ms added each way between the stand-ins and Postgres and Redis, to see round trips as time',
    '0',
  ),
  NEON_STANDIN_PORT: variable(wholeNumber(0, 65_535), '`npm run services`', 'the Neon stand-in port', '4444'),
  NEON_STANDIN_SECRET: variable(
    matching(/^[A-Za-z0-9_-]{16,}$/, 'at least 16 of `A-Z a-z 0-9 _ -`'),
    '`npm run services`',
    "a fixed secret for the Neon stand-in's URLs",
    'random per start',
  ),
  NEON_STANDIN_MAX_TUNNELS: variable(
    wholeNumber(1, 10_000),
    '`npm run services`',
    'WebSocket tunnels the Neon stand-in keeps open at once',
    '64',
  ),
  UPSTASH_BRIDGE_PORT: variable(wholeNumber(0, 65_535), '`npm run services`', 'the Upstash bridge port', '8079'),
  UPSTASH_BRIDGE_TOKEN: variable(
    text(),
    '`npm run services`',
    'a fixed token for the Upstash bridge',
    'random per start',
  ),
  DEV_WORKER_PORT: variable(wholeNumber(1, 65_535), '`npm run dev:worker`', "wrangler's port", '8787'),
  DEV_WORKER_INSPECTOR_PORT: variable(
    wholeNumber(1, 65_535),
    '`npm run dev:worker`',
    "wrangler's devtools port",
    '9229',
  ),
  TEST_DATABASE_URL: variable(
    url(['postgres:', 'postgresql:']),
    'tests',
    'the Postgres server the integration tests use (each suite makes its own scratch database)',
    '`postgres://postgres@127.0.0.1:5432/postgres`',
  ),
  TEST_REDIS_URL: variable(url(['redis:']), 'tests', 'the Redis the tests use', '`redis://127.0.0.1:6379`'),
  RELIABILITY_FULL: variable(oneOf(['1']), '`npm run test:reliability`', '`1`: the long runs'),
  BENCH_RTTS: variable(
    list('milliseconds', (ms) => /^\d+$/.test(ms)),
    '`npm run bench`',
    'round-trip times of the latency bench',
    '`0,5,20`',
  ),
  BENCH_BEFORE_REF: variable(text('a git ref'), '`npm run bench`', 'the git ref measured as "before"'),
  BENCH_ROUNDS: variable(wholeNumber(1), '`npm run bench`', 'rounds of each bench'),
  BENCH_CALLS: variable(wholeNumber(1), '`npm run bench`', 'calls per round of the paths'),
  BENCH_LATENCY_CALLS: variable(wholeNumber(1), '`npm run bench`', 'calls per round of the latency bench'),
  BENCH_REQUESTS: variable(wholeNumber(1), '`npm run bench:metrics`, `bench:bridge`', 'requests per round'),
  BENCH_CONCURRENCY: variable(wholeNumber(1), '`npm run bench:api`, `bench:bridge`', 'requests in flight'),
  BENCH_SECONDS: variable(wholeNumber(1), '`npm run bench:api`', 'seconds per round'),
  BENCH_DATABASE_URL: variable(
    url(['postgres:', 'postgresql:']),
    '`npm run bench`',
    'the Postgres (an admin URL) the bench uses',
  ),
  BENCH_REDIS_URL: variable(url(['redis:']), '`npm run bench`', 'the Redis the bench uses'),
} satisfies Record<string, Variable>

export type ServiceVariable = keyof typeof SERVICE_VARIABLES
export type CommandVariable = keyof typeof COMMAND_VARIABLES
