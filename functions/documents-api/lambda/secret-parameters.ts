/**
 * Secrets on Lambda come from SSM Parameter Store, not from the function's configuration: a
 * deployed function carries only the parameters' names (`DATABASE_URL_PARAMETER`,
 * `JWT_SECRET_PARAMETER`, …), and the values (SecureString) are read once at init, in one
 * `GetParameters` call with decryption, before the service is built. Anyone who may read the
 * function's configuration (console, `lambda:GetFunctionConfiguration`, a CloudFormation
 * template or its parameters) sees names, never values; the role may read exactly those
 * parameters (`infra/template.yaml`).
 *
 * Plain variables keep working where there is no Parameter Store (`sam local` with an
 * env.json, the tests): a variable whose `*_PARAMETER` is unset or empty is used as it is, and
 * nothing is fetched when no `*_PARAMETER` is set. Setting both a variable and its
 * `*_PARAMETER` is refused: which one wins would be a guess, and a plaintext copy left in the
 * configuration is what this replaces.
 */

/** The variables that may come from a parameter, and whether the service can start without them. */
export const SECRET_VARIABLES = [
  { name: 'DATABASE_URL', required: true },
  { name: 'JWT_SECRET', required: true },
  { name: 'UPSTASH_REDIS_REST_TOKEN', required: false },
  { name: 'CURSOR_SECRET', required: false },
] as const

export type SecretVariable = (typeof SECRET_VARIABLES)[number]['name']

/** The suffix of the variable that names a secret's parameter. */
export const PARAMETER_SUFFIX = '_PARAMETER'

/** Reads parameters by name, decrypted; reports the names that do not exist (or may not be read). */
export type ParameterReader = (names: readonly string[]) => Promise<{
  values: ReadonlyMap<string, string>
  invalid: readonly string[]
}>

type Env = Readonly<Record<string, string | undefined>>

/** Which parameter each secret variable comes from, as the environment says; throws on a conflict. */
export function secretParameterNames(env: Env): Map<SecretVariable, string> {
  const names = new Map<SecretVariable, string>()
  for (const { name } of SECRET_VARIABLES) {
    const parameter = env[`${name}${PARAMETER_SUFFIX}`]?.trim()
    if (!parameter) continue
    if (env[name]) {
      throw new Error(
        `${name} and ${name}${PARAMETER_SUFFIX} are both set: keep one (the parameter when deployed; ` +
          `for sam local, set ${name}${PARAMETER_SUFFIX} to "" in env.json)`,
      )
    }
    names.set(name, parameter)
  }
  return names
}

/**
 * The values of the secret variables that the environment names parameters for, read with
 * `read` in one call; `{}` without a call when it names none. Throws, naming the variable and
 * the parameter, when a parameter is missing, unreadable or empty.
 */
export async function resolveSecretParameters(
  env: Env,
  read: () => Promise<ParameterReader> | ParameterReader,
): Promise<Partial<Record<SecretVariable, string>>> {
  const names = secretParameterNames(env)
  if (names.size === 0) return {}
  const parameters = [...new Set(names.values())]
  const reader = await read()
  let answer: Awaited<ReturnType<ParameterReader>>
  try {
    answer = await reader(parameters)
  } catch (error) {
    const variables = [...names.keys()].map((name) => `${name}${PARAMETER_SUFFIX}`).join(', ')
    throw new Error(
      `could not read the secret parameters (${parameters.join(', ')}) named by ${variables}: ${(error as Error).message}`,
      { cause: error },
    )
  }
  const invalid = new Set(answer.invalid)
  const resolved: Partial<Record<SecretVariable, string>> = {}
  const problems: string[] = []
  for (const [name, parameter] of names) {
    const value = answer.values.get(parameter)
    if (invalid.has(parameter) || value === undefined) {
      problems.push(`${name}${PARAMETER_SUFFIX} names ${parameter}, which does not exist or may not be read`)
    } else if (value === '') {
      problems.push(`${name}${PARAMETER_SUFFIX} names ${parameter}, which is empty`)
    } else {
      resolved[name] = value
    }
  }
  if (problems.length > 0) throw new Error(`secret parameters: ${problems.join('; ')}`)
  return resolved
}

/** One `GetParameters` answer, as SSM gives it. */
export interface GetParametersAnswer {
  Parameters?: Array<{ Name?: string; ARN?: string; Value?: string }>
  InvalidParameters?: string[]
}

/** The most names one `GetParameters` call takes. */
export const MAX_NAMES_PER_CALL = 10

/**
 * A reader over `GetParameters` (decrypting): ten names a call, each value under the name it
 * was asked by (a name or an ARN), and the names SSM called invalid.
 */
export function getParametersReader(getParameters: (names: string[]) => Promise<GetParametersAnswer>): ParameterReader {
  return async (names) => {
    const values = new Map<string, string>()
    const invalid: string[] = []
    for (let start = 0; start < names.length; start += MAX_NAMES_PER_CALL) {
      const batch = names.slice(start, start + MAX_NAMES_PER_CALL)
      const answer = await getParameters(batch)
      for (const parameter of answer.Parameters ?? []) {
        if (parameter.Value === undefined) continue
        const asked = batch.find((name) => name === parameter.Name || name === parameter.ARN)
        if (asked !== undefined) values.set(asked, parameter.Value)
      }
      invalid.push(...(answer.InvalidParameters ?? []))
    }
    return { values, invalid }
  }
}

/**
 * The Parameter Store reader: `GetParameters` with decryption through the AWS SDK v3 that the
 * Lambda Node.js runtime provides (the bundle leaves `@aws-sdk/*` out), loaded only when a
 * parameter is named, so a function configured with plain variables never loads it. Region,
 * credentials and endpoint come from the usual variables (`AWS_REGION`, the role's session,
 * `AWS_ENDPOINT_URL_SSM`).
 */
export async function ssmParameterReader(): Promise<ParameterReader> {
  const { SSMClient, GetParametersCommand } = await import('@aws-sdk/client-ssm').catch((error: Error) => {
    throw new Error(
      `@aws-sdk/client-ssm could not be loaded (the Lambda Node.js runtime provides it): ${error.message}`,
    )
  })
  const client = new SSMClient({})
  return getParametersReader((names) => client.send(new GetParametersCommand({ Names: names, WithDecryption: true })))
}
