/**
 * The SAM template, read as CloudFormation reads it (intrinsic tags kept):
 * the HTTP API, the API function and the scheduled function on the Lambda
 * runtime this project targets, built with esbuild from the Lambda entry
 * whose handlers the tests invoke.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse, type Tags } from 'yaml'

const intrinsics: Tags = ['Ref', 'If', 'Not', 'Equals', 'Sub', 'GetAtt'].flatMap((name) =>
  (['scalar', 'seq'] as const).map((collection) => ({
    tag: `!${name}`,
    collection: collection === 'seq' ? ('seq' as const) : undefined,
    resolve: (value: unknown) => ({ [name]: value }),
  })),
) as Tags

interface Template {
  Transform: string
  Parameters: Record<string, { NoEcho?: boolean }>
  Globals: {
    Function: { Runtime: string; Architectures: string[]; Environment: { Variables: Record<string, unknown> } }
  }
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }>
}

const template = parse(readFileSync(new URL('template.yaml', import.meta.url), 'utf8'), {
  customTags: intrinsics,
}) as Template

describe('infra/template.yaml', () => {
  it('declares the HTTP API, the API function and the scheduled function on nodejs24.x arm64', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31')
    expect(template.Globals.Function.Runtime).toBe('nodejs24.x')
    expect(template.Globals.Function.Architectures).toEqual(['arm64'])
    expect(template.Resources.Api?.Type).toBe('AWS::Serverless::HttpApi')
    expect(template.Resources.ApiFunction?.Properties.Handler).toBe('index.handler')
    expect(template.Resources.ScheduledFunction?.Properties.Handler).toBe('index.scheduledHandler')
    const schedule = Object.values(
      template.Resources.ScheduledFunction?.Properties.Events as Record<string, { Type: string }>,
    )
    expect(schedule[0]?.Type).toBe('ScheduleV2')
  })

  it('builds both from the Lambda entry with esbuild', () => {
    for (const name of ['ApiFunction', 'ScheduledFunction']) {
      const metadata = template.Resources[name]?.Metadata as {
        BuildMethod: string
        BuildProperties: { EntryPoints: string[] }
      }
      expect(metadata.BuildMethod).toBe('esbuild')
      expect(metadata.BuildProperties.EntryPoints).toEqual(['functions/documents-api/lambda.ts'])
    }
  })

  it('takes the secrets and service variables as parameters, secrets hidden', () => {
    const variables = Object.keys(template.Globals.Function.Environment.Variables)
    for (const name of [
      'DATABASE_URL',
      'UPSTASH_REDIS_REST_URL',
      'UPSTASH_REDIS_REST_TOKEN',
      'JWT_SECRET',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
    ]) {
      expect(variables).toContain(name)
    }
    for (const secret of ['DatabaseUrl', 'UpstashRedisRestToken', 'JwtSecret'])
      expect(template.Parameters[secret]?.NoEcho).toBe(true)
  })
})
