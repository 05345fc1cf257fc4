/**
 * Reads variables of the table (`variables.ts`) from an environment: each
 * parsed into the value the code uses, every bad one refused at once, by
 * name, with what it accepts. An entry that cannot use its configuration
 * must not start: a value silently ignored looks like a setting and is none.
 *
 * ```ts
 * const config = loadServiceConfig(process.env)
 * config.RATE_LIMIT_REQUESTS // number | undefined
 * ```
 */
import { refused } from './kinds.ts'
import {
  COMMAND_VARIABLES,
  type CommandVariable,
  SERVICE_VARIABLES,
  type ServiceVariable,
  type Variable,
} from './variables.ts'

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

type ValueOf<V> = V extends Variable<infer T> ? T | undefined : never
type Values<Table, Names extends keyof Table> = { readonly [Name in Names]: ValueOf<Table[Name]> }

/** The service's configuration: every variable the entries read, parsed. */
export type ServiceConfig = Values<typeof SERVICE_VARIABLES, ServiceVariable>

/** What an environment holds: text variables (Workers also pass bindings, which are ignored). */
export type Environment = object

/** The service's variables, parsed; throws a ConfigError naming every bad one. */
export function loadServiceConfig(env: Environment): ServiceConfig {
  const config = parse(SERVICE_VARIABLES, Object.keys(SERVICE_VARIABLES) as ServiceVariable[], env)
  const missing = pairedVariables(config)
  if (missing) throw new ConfigError(missing)
  return config
}

/** A command's variables, parsed; throws a ConfigError naming every bad one. */
export function loadCommandConfig<Names extends CommandVariable>(
  env: Environment,
  names: readonly Names[],
): Values<typeof COMMAND_VARIABLES, Names> {
  return parse(COMMAND_VARIABLES, names, env)
}

function parse<Table extends Record<string, Variable>, Names extends keyof Table & string>(
  table: Table,
  names: readonly Names[],
  env: Environment,
): Values<Table, Names> {
  const values: Record<string, unknown> = {}
  const refusals: string[] = []
  for (const name of names) {
    const { kind, sensitive } = table[name] as Variable
    const given = (env as Record<string, unknown>)[name]
    const value = kind.read(given)
    if (value !== refused) {
      if (value !== undefined) values[name] = value
      continue
    }
    const shown = sensitive || typeof given !== 'string' ? '' : `, not ${JSON.stringify(given)}`
    refusals.push(`${name} must be ${kind.accepted}${shown}`)
  }
  if (refusals.length) throw new ConfigError(refusals.join('; '))
  return values as Values<Table, Names>
}

/** Variables that mean nothing alone: the reason to refuse, or undefined. */
function pairedVariables(config: ServiceConfig): string | undefined {
  if (config.RATE_LIMIT_WINDOW_S !== undefined && config.RATE_LIMIT_REQUESTS === undefined) {
    return 'RATE_LIMIT_WINDOW_S is set but RATE_LIMIT_REQUESTS is not: set both, or neither for no limit'
  }
  if ((config.UPSTASH_REDIS_REST_URL === undefined) !== (config.UPSTASH_REDIS_REST_TOKEN === undefined)) {
    return 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN go together: set both for the Redis tier, or neither'
  }
  return undefined
}
