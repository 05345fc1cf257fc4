/**
 * The SAM template, read as CloudFormation reads it (intrinsic functions as `Ref` and
 * `Fn::*`): the HTTP API, the API function and the scheduled function on the Lambda runtime
 * this project targets, built with esbuild from the Lambda entry whose handlers the tests
 * invoke; secrets as Parameter Store names with a role that may read exactly those; tracing,
 * log retention, the schedule's payload, retries and dead-letter queue. Then the whole
 * template through the linter (`template-lint.ts`: what it checks and what it cannot).
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCHEDULER_INPUT } from '../functions/documents-api/lambda/scheduled-event.ts'
import { PARAMETER_SUFFIX, SECRET_VARIABLES } from '../functions/documents-api/lambda/secret-parameters.ts'
import { LAMBDA_BUILD } from './build/build.ts'
import { lintTemplate, parseTemplate } from './template-lint.ts'

type Json = Record<string, unknown>
interface Resource {
  Type: string
  Properties: Json
  Metadata?: Json
}
interface Template {
  Transform: string
  Parameters: Record<string, { Type: string; NoEcho?: boolean; Default?: unknown }>
  Globals: { Function: Json & { Environment: { Variables: Record<string, unknown> } } }
  Resources: Record<string, Resource>
}

const text = readFileSync(new URL('template.yaml', import.meta.url), 'utf8')
const template = parseTemplate(text) as unknown as Template
const variables = template.Globals.Function.Environment.Variables
const functions = ['ApiFunction', 'ScheduledFunction'] as const
const resource = (name: string) => {
  const found = template.Resources[name]
  if (!found) throw new Error(`no resource ${name}`)
  return found
}
const scheduleEvent = () => {
  const events = resource('ScheduledFunction').Properties.Events as Record<string, { Type: string; Properties: Json }>
  const [event] = Object.values(events)
  if (!event) throw new Error('no schedule')
  return event
}
/** The logical id a `Ref`, `Fn::GetAtt` or `Fn::Sub` points at. */
const target = (value: unknown): string | undefined => {
  const json = value as Json
  if (typeof json?.Ref === 'string') return json.Ref
  const getAtt = json?.['Fn::GetAtt']
  return Array.isArray(getAtt) ? String(getAtt[0]) : undefined
}

describe('infra/template.yaml', () => {
  it('declares the HTTP API, the API function and the scheduled function on nodejs24.x arm64', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31')
    expect(template.Globals.Function.Runtime).toBe('nodejs24.x')
    expect(template.Globals.Function.Architectures).toEqual(['arm64'])
    expect(resource('Api').Type).toBe('AWS::Serverless::HttpApi')
    expect(scheduleEvent().Type).toBe('ScheduleV2')
  })

  it('builds both from the Lambda entry with esbuild, into the file their handlers name', () => {
    const handlers = { ApiFunction: 'handler', ScheduledFunction: 'scheduledHandler' }
    for (const name of functions) {
      const { Metadata, Properties } = resource(name)
      const build = Metadata as { BuildMethod: string; BuildProperties: { EntryPoints: string[]; External: string[] } }
      expect(build.BuildMethod).toBe('esbuild')
      expect(build.BuildProperties.EntryPoints).toEqual(['functions/documents-api/lambda.ts'])
      // esbuild names the output after the entry: lambda.ts → lambda.mjs
      const file = basename(build.BuildProperties.EntryPoints[0] ?? '', '.ts')
      expect(Properties.Handler).toBe(`${file}.${handlers[name]}`)
      // what npm run build (and the Lambda tests) leave out, SAM leaves out too
      expect([...build.BuildProperties.External].sort()).toEqual([...(LAMBDA_BUILD.external ?? [])].sort())
    }
  })

  it('keeps secrets out of the configuration: parameter names only, and no parameter that carries a value', () => {
    for (const { name } of SECRET_VARIABLES) {
      // declared empty only so that sam local may fill them; never a template parameter's value
      if (name in variables) expect(variables[name]).toBe('')
    }
    const underPrefix = (name: string) => ({ 'Fn::Sub': `\${SecretsPrefix}/${name}` })
    expect(variables.DATABASE_URL_PARAMETER).toEqual(underPrefix('DATABASE_URL'))
    expect(variables.JWT_SECRET_PARAMETER).toEqual(underPrefix('JWT_SECRET'))
    expect(variables.UPSTASH_REDIS_REST_TOKEN_PARAMETER).toEqual({
      'Fn::If': ['HasRedis', underPrefix('UPSTASH_REDIS_REST_TOKEN'), { Ref: 'AWS::NoValue' }],
    })
    // no NoEcho parameters left: nothing secret goes through CloudFormation
    for (const [name, parameter] of Object.entries(template.Parameters)) {
      expect(parameter.NoEcho, name).toBeUndefined()
    }
    expect(Object.keys(template.Parameters)).not.toEqual(expect.arrayContaining(['DatabaseUrl', 'JwtSecret']))
  })

  it('lets each function read exactly the parameters it is given, nothing else', () => {
    const named = Object.entries(variables)
      .filter(([name]) => name.endsWith(PARAMETER_SUFFIX))
      .map(([, value]) => {
        const sub = (value as Json)['Fn::Sub'] ?? ((value as Json)['Fn::If'] as Json[])?.[1]?.['Fn::Sub']
        return `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${sub}`
      })
    expect(named).toHaveLength(3)
    for (const name of functions) {
      const [read, decrypt, ...others] = resource(name).Properties.Policies as Json[]
      expect(others).toEqual([])
      const statements = (read as { Statement: Json[] }).Statement
      expect(statements).toHaveLength(1)
      const [statement] = statements as [Json]
      expect(statement.Effect).toBe('Allow')
      expect(statement.Action).toBe('ssm:GetParameters')
      const resources = (statement.Resource as unknown[]).map((arn) => {
        const json = arn as Json
        const conditional = json['Fn::If'] as Json[] | undefined
        return (conditional ? conditional[1]?.['Fn::Sub'] : json['Fn::Sub']) as string
      })
      expect(resources.sort()).toEqual([...named].sort())
      expect(JSON.stringify(resources)).not.toContain('*')
      // a customer managed key may decrypt, only through Parameter Store, only when one is given
      const kms = (decrypt as { 'Fn::If': [string, { Statement: Json[] }, unknown] })['Fn::If']
      expect(kms[0]).toBe('HasSecretsKmsKey')
      expect(kms[1].Statement[0]).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: { Ref: 'SecretsKmsKeyArn' },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': `ssm.\${AWS::Region}.amazonaws.com` } } },
      })
      expect(kms[2]).toEqual({ Ref: 'AWS::NoValue' })
    }
  })

  it('traces both functions and keeps their logs for a set time, each in a log group of its own', () => {
    expect(template.Globals.Function.Tracing).toBe('Active')
    const groups = functions.map((name) => target((resource(name).Properties.LoggingConfig as Json).LogGroup))
    expect(new Set(groups).size).toBe(2)
    for (const group of groups) {
      const logGroup = resource(group ?? '')
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup')
      expect(logGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' })
    }
    expect(template.Parameters.LogRetentionInDays?.Default).toBe(30)
  })

  it("sends the schedule's context as the payload the handler reads, with retries and a dead-letter queue", () => {
    const { Properties } = scheduleEvent()
    expect(JSON.parse(Properties.Input as string)).toEqual(SCHEDULER_INPUT)
    expect(Properties.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 })
    expect(Properties.OmitName).toBe(true)
    const queue = target((Properties.DeadLetterConfig as Json).Arn)
    expect(resource(queue ?? '').Type).toBe('AWS::SQS::Queue')
    // a run that starts and fails is retried by Lambda, then lands in the same queue
    const invoke = resource('ScheduledFunction').Properties.EventInvokeConfig as {
      MaximumRetryAttempts: number
      DestinationConfig: { OnFailure: { Type: string; Destination: unknown } }
    }
    expect(invoke.MaximumRetryAttempts).toBe(1)
    expect(invoke.DestinationConfig.OnFailure.Type).toBe('SQS')
    expect(target(invoke.DestinationConfig.OnFailure.Destination)).toBe(queue)
  })

  it('passes the linter: no error, no warning', () => {
    expect(lintTemplate(text)).toEqual({ errors: [], warnings: [] })
  })

  it('the linter finds what it is meant to find', () => {
    const broken = text
      .replace('SqsManagedSseEnabled: true', 'SqsManagedSseEnable: true')
      .replace('MaximumRetryAttempts: 3', 'MaximumRetryAttempts: 300')
      .replace('LogGroup: !Ref ApiLogGroup', 'LogGroup: !Ref ApiLogGrup')
      .replace('"attempt":"<aws.scheduler.attempt-number>"}', '"attempt":')
      .replace('Default: 30', 'Default: 31')
    const paths = lintTemplate(broken).errors.map((error) => error.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'Resources.ScheduleDeadLetterQueue.Properties.SqsManagedSseEnable',
        'Resources.ScheduledFunction.Properties.Events.Every15Minutes.Properties.RetryPolicy.MaximumRetryAttempts',
        'Resources.ApiFunction.Properties.LoggingConfig.LogGroup',
        'Resources.ScheduledFunction.Properties.Events.Every15Minutes.Properties.Input',
        'Parameters.LogRetentionInDays.Default',
      ]),
    )
  })
})
