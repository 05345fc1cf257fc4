import { describe, expect, it, vi } from 'vitest'
import {
  getParametersReader,
  type ParameterReader,
  resolveSecretParameters,
  secretParameterNames,
} from './secret-parameters.ts'

/** A Parameter Store of its own: the names it holds, and every call it was asked. */
function fakeStore(parameters: Record<string, string>) {
  const calls: string[][] = []
  const reader: ParameterReader = async (names) => {
    calls.push([...names])
    const values = new Map<string, string>()
    const invalid: string[] = []
    for (const name of names) {
      const value = parameters[name]
      if (value === undefined) invalid.push(name)
      else values.set(name, value)
    }
    return { values, invalid }
  }
  return { calls, reader }
}

const PARAMETERS = {
  '/dal/prod/DATABASE_URL': 'postgresql://app:pw@ep-example.eu-central-1.aws.neon.tech/neondb?sslmode=require',
  '/dal/prod/JWT_SECRET': 'a-secret-from-parameter-store-0123456789',
  '/dal/prod/UPSTASH_REDIS_REST_TOKEN': 'upstash-token',
}

describe('resolveSecretParameters', () => {
  it('reads every named parameter in one call and returns the variables they fill', async () => {
    const store = fakeStore(PARAMETERS)
    const resolved = await resolveSecretParameters(
      {
        DATABASE_URL_PARAMETER: '/dal/prod/DATABASE_URL',
        JWT_SECRET_PARAMETER: '/dal/prod/JWT_SECRET',
        UPSTASH_REDIS_REST_TOKEN_PARAMETER: '/dal/prod/UPSTASH_REDIS_REST_TOKEN',
        UPSTASH_REDIS_REST_URL: 'https://example.upstash.io',
      },
      () => store.reader,
    )
    expect(resolved).toEqual({
      DATABASE_URL: PARAMETERS['/dal/prod/DATABASE_URL'],
      JWT_SECRET: PARAMETERS['/dal/prod/JWT_SECRET'],
      UPSTASH_REDIS_REST_TOKEN: 'upstash-token',
    })
    expect(store.calls).toEqual([
      ['/dal/prod/DATABASE_URL', '/dal/prod/JWT_SECRET', '/dal/prod/UPSTASH_REDIS_REST_TOKEN'],
    ])
  })

  it('fetches nothing, and loads no client, when no *_PARAMETER is set (plain variables, sam local, tests)', async () => {
    const read = vi.fn(() => fakeStore(PARAMETERS).reader)
    const env = { DATABASE_URL: 'postgres://localhost/db', JWT_SECRET: 'x'.repeat(32), JWT_SECRET_PARAMETER: ' ' }
    expect(await resolveSecretParameters(env, read)).toEqual({})
    expect(await resolveSecretParameters({}, read)).toEqual({})
    expect(read).not.toHaveBeenCalled()
  })

  it('fails init naming the variable and the parameter that is missing', async () => {
    const store = fakeStore({ '/dal/prod/DATABASE_URL': PARAMETERS['/dal/prod/DATABASE_URL'] })
    const resolving = resolveSecretParameters(
      { DATABASE_URL_PARAMETER: '/dal/prod/DATABASE_URL', JWT_SECRET_PARAMETER: '/dal/prod/JWT_SECRET' },
      () => store.reader,
    )
    await expect(resolving).rejects.toThrow(
      'JWT_SECRET_PARAMETER names /dal/prod/JWT_SECRET, which does not exist or may not be read',
    )
    await expect(resolving).rejects.not.toThrow('DATABASE_URL_PARAMETER')
  })

  it('refuses an empty parameter', async () => {
    const store = fakeStore({ '/dal/prod/JWT_SECRET': '' })
    await expect(
      resolveSecretParameters({ JWT_SECRET_PARAMETER: '/dal/prod/JWT_SECRET' }, () => store.reader),
    ).rejects.toThrow('JWT_SECRET_PARAMETER names /dal/prod/JWT_SECRET, which is empty')
  })

  it('names the parameters when Parameter Store cannot be reached or refuses, never a value', async () => {
    const failing: ParameterReader = async () => {
      throw new Error('User is not authorized to perform: ssm:GetParameters')
    }
    const resolving = resolveSecretParameters(
      { DATABASE_URL_PARAMETER: '/dal/prod/DATABASE_URL', JWT_SECRET_PARAMETER: '/dal/prod/JWT_SECRET' },
      () => failing,
    )
    await expect(resolving).rejects.toThrow(
      'could not read the secret parameters (/dal/prod/DATABASE_URL, /dal/prod/JWT_SECRET) named by ' +
        'DATABASE_URL_PARAMETER, JWT_SECRET_PARAMETER: User is not authorized to perform: ssm:GetParameters',
    )
  })

  it('asks once for a parameter that fills two variables', async () => {
    const store = fakeStore({ '/dal/prod/JWT_SECRET': PARAMETERS['/dal/prod/JWT_SECRET'] })
    const resolved = await resolveSecretParameters(
      { JWT_SECRET_PARAMETER: '/dal/prod/JWT_SECRET', CURSOR_SECRET_PARAMETER: '/dal/prod/JWT_SECRET' },
      () => store.reader,
    )
    expect(resolved.CURSOR_SECRET).toBe(resolved.JWT_SECRET)
    expect(store.calls).toEqual([['/dal/prod/JWT_SECRET']])
  })
})

describe('secretParameterNames', () => {
  it('refuses a variable set both plainly and by parameter, before anything is fetched', () => {
    expect(() =>
      secretParameterNames({ JWT_SECRET: 'x'.repeat(32), JWT_SECRET_PARAMETER: '/dal/prod/JWT_SECRET' }),
    ).toThrow('JWT_SECRET and JWT_SECRET_PARAMETER are both set: keep one')
  })

  it('takes an empty plain variable as unset (the template declares them empty, for sam local)', () => {
    expect(secretParameterNames({ DATABASE_URL: '', DATABASE_URL_PARAMETER: '/dal/prod/DATABASE_URL' })).toEqual(
      new Map([['DATABASE_URL', '/dal/prod/DATABASE_URL']]),
    )
  })
})

describe('getParametersReader', () => {
  it('asks ten names a call and maps values (by the name or ARN asked) and invalid names', async () => {
    const held = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`/dal/p${i}`, `value-${i}`]))
    const calls: string[][] = []
    const reader = getParametersReader(async (names) => {
      calls.push(names)
      return {
        Parameters: names
          .filter((name) => held[name] !== undefined || name.endsWith(':parameter/dal/by-arn'))
          .map((name) =>
            name.startsWith('arn:')
              ? { Name: '/dal/by-arn', ARN: name, Value: 'from-arn' }
              : { Name: name, ARN: `arn:aws:ssm:eu-central-1:123456789012:parameter${name}`, Value: held[name] },
          ),
        InvalidParameters: names.filter((name) => held[name] === undefined && !name.startsWith('arn:')),
      }
    })
    const arn = 'arn:aws:ssm:eu-central-1:123456789012:parameter/dal/by-arn'
    const answer = await reader([...Object.keys(held), '/dal/missing', arn])
    expect(calls.map((names) => names.length)).toEqual([10, 4])
    expect(answer.values.get('/dal/p0')).toBe('value-0')
    expect(answer.values.get('/dal/p11')).toBe('value-11')
    expect(answer.values.get(arn)).toBe('from-arn')
    expect(answer.values.size).toBe(13)
    expect(answer.invalid).toEqual(['/dal/missing'])
  })
})
