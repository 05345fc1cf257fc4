/**
 * A CloudFormation linter for infra/template.yaml that runs where only the npm registry is
 * reachable. AWS's cfn-lint (PyPI) is the real thing and is not installable here; the npm
 * package named `cfn-lint` is a 2019 validator that knows neither `AWS::Serverless::HttpApi`
 * nor `ScheduleV2` nor `LoggingConfig`. This checks the template against the CloudFormation
 * resource schemas as the CDK ships them (`@aws-cdk/aws-service-spec`, current) and against
 * what SAM documents for the few SAM shapes the template uses:
 *
 * - the sections; every parameter's type, and its default against its allowed values and pattern;
 * - every `AWS::*` resource: a known type, known properties, required ones present, values of
 *   the right kind (literal strings, numbers, booleans, enums, nested objects, lists, maps),
 *   and the ranges AWS documents for the properties in {@link RANGES};
 * - SAM: the `Globals` keys; a function's properties (those SAM passes through checked against
 *   `AWS::Lambda::Function`); its events, with `ScheduleV2` and `HttpApi` checked property by
 *   property (a `ScheduleV2` `Input` must be well-formed JSON: Scheduler refuses anything else
 *   for a Lambda target), `RetryPolicy` against `AWS::Scheduler::Schedule`, `EventInvokeConfig`;
 * - references: `Ref`, `Fn::GetAtt` (the attribute too), `Fn::Sub` variables, `Fn::If` and
 *   `Condition` names; unused parameters and conditions.
 *
 * What it cannot do: run SAM's transform (what SAM generates is not checked; SAM's own
 * validation happens at `sam build`/`sam deploy`), IAM policy semantics, cfn-lint's best
 * practice rules, region availability. See docs/deploy-lambda.md.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec'
import { isMap, isSeq, parse, type Tags } from 'yaml'

export interface LintMessage {
  path: string
  message: string
}

export interface LintResult {
  errors: LintMessage[]
  warnings: LintMessage[]
}

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>
type PropertyType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null'; allowedValues?: unknown[] }
  | { type: 'array' | 'map'; element: PropertyType }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'union'; types: PropertyType[] }
  | { type: 'tag' }
interface SpecProperty {
  type: PropertyType
  required?: boolean
}
type SpecProperties = Record<string, SpecProperty>

const INTRINSICS = [
  'Ref',
  'GetAtt',
  'Sub',
  'If',
  'Not',
  'Equals',
  'And',
  'Or',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Base64',
  'Cidr',
  'Condition',
  'ToJsonString',
  'Length',
]

/** The short forms as CloudFormation reads them: `!GetAtt A.B` is `{ "Fn::GetAtt": ["A", "B"] }`. */
const TAGS: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`
  return (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    collection: collection === 'scalar' ? undefined : collection,
    resolve: (value: unknown) => {
      if (name === 'GetAtt' && typeof value === 'string') {
        const dot = value.indexOf('.')
        return { [key]: [value.slice(0, dot), value.slice(dot + 1)] }
      }
      return { [key]: isSeq(value) || isMap(value) ? value.toJSON() : value }
    },
  }))
}) as Tags

export function parseTemplate(text: string): Record<string, unknown> {
  return parse(text, { customTags: TAGS, maxAliasCount: -1 }) as Record<string, unknown>
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
])

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Globals',
  'Resources',
  'Outputs',
])
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'Metadata',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
])
const PARAMETER_KEYS = new Set([
  'Type',
  'Default',
  'Description',
  'AllowedValues',
  'AllowedPattern',
  'NoEcho',
  'MinLength',
  'MaxLength',
  'MinValue',
  'MaxValue',
  'ConstraintDescription',
])

/** Ranges AWS documents but the resource schemas do not carry, for the properties this project sets. */
export const RANGES: Record<string, [number, number]> = {
  'AWS::Lambda::Function.MemorySize': [128, 10240],
  'AWS::Lambda::Function.Timeout': [1, 900],
  'AWS::SQS::Queue.MessageRetentionPeriod': [60, 1209600],
  'AWS::Scheduler::Schedule.RetryPolicy.MaximumRetryAttempts': [0, 185],
  'AWS::Scheduler::Schedule.RetryPolicy.MaximumEventAgeInSeconds': [60, 86400],
  'AWS::Lambda::EventInvokeConfig.MaximumRetryAttempts': [0, 2],
  'AWS::Lambda::EventInvokeConfig.MaximumEventAgeInSeconds': [60, 21600],
}

/** What SAM documents for `Globals.Function`. */
const SAM_GLOBALS_FUNCTION = new Set([
  'Handler',
  'Runtime',
  'CodeUri',
  'DeadLetterQueue',
  'Description',
  'MemorySize',
  'Timeout',
  'VpcConfig',
  'Environment',
  'Tags',
  'PropagateTags',
  'Tracing',
  'KmsKeyArn',
  'Layers',
  'AutoPublishAlias',
  'DeploymentPreference',
  'PermissionsBoundary',
  'ReservedConcurrentExecutions',
  'ProvisionedConcurrencyConfig',
  'AssumeRolePolicyDocument',
  'EventInvokeConfig',
  'Architectures',
  'EphemeralStorage',
  'SnapStart',
  'RuntimeManagementConfig',
  'LoggingConfig',
  'RecursiveLoop',
  'SourceKMSKeyArn',
  'FileSystemConfigs',
  'FunctionUrlConfig',
  'CodeSigningConfigArn',
])

/** `AWS::Serverless::Function` properties SAM passes to `AWS::Lambda::Function` unchanged: checked against it. */
const SAM_FUNCTION_PASSTHROUGH = [
  'Handler',
  'Runtime',
  'Description',
  'MemorySize',
  'Timeout',
  'Environment',
  'KmsKeyArn',
  'Layers',
  'ReservedConcurrentExecutions',
  'Architectures',
  'EphemeralStorage',
  'SnapStart',
  'RuntimeManagementConfig',
  'LoggingConfig',
  'RecursiveLoop',
  'FileSystemConfigs',
  'CodeSigningConfigArn',
  'ImageConfig',
  'PackageType',
  'FunctionName',
  'VpcConfig',
]
/** SAM's own `AWS::Serverless::Function` properties (newer ones than the schema package knows included). */
const SAM_FUNCTION_OWN = new Set([
  'CodeUri',
  'InlineCode',
  'ImageUri',
  'Role',
  'Policies',
  'PermissionsBoundary',
  'Events',
  'Tags',
  'PropagateTags',
  'Tracing',
  'DeadLetterQueue',
  'DeploymentPreference',
  'AutoPublishAlias',
  'AutoPublishAliasAllProperties',
  'AutoPublishCodeSha256',
  'VersionDescription',
  'VersionDeletionPolicy',
  'ProvisionedConcurrencyConfig',
  'EventInvokeConfig',
  'AssumeRolePolicyDocument',
  'FunctionUrlConfig',
  'SourceKMSKeyArn',
  'FunctionScalingConfig',
])

const SAM_EVENT_TYPES = new Set([
  'S3',
  'SNS',
  'Kinesis',
  'DynamoDB',
  'SQS',
  'Api',
  'Schedule',
  'ScheduleV2',
  'CloudWatchEvent',
  'EventBridgeRule',
  'CloudWatchLogs',
  'IoTRule',
  'AlexaSkill',
  'Cognito',
  'HttpApi',
  'MSK',
  'MQ',
  'SelfManagedKafka',
  'DocumentDB',
])
/** The event types checked property by property, as SAM documents them. */
const SAM_EVENT_PROPERTIES: Record<string, { known: string[]; required: string[] }> = {
  ScheduleV2: {
    known: [
      'DeadLetterConfig',
      'Description',
      'EndDate',
      'FlexibleTimeWindow',
      'GroupName',
      'Input',
      'KmsKeyArn',
      'Name',
      'OmitName',
      'PermissionsBoundary',
      'RetryPolicy',
      'RoleArn',
      'ScheduleExpression',
      'ScheduleExpressionTimezone',
      'StartDate',
      'State',
    ],
    required: ['ScheduleExpression'],
  },
  HttpApi: {
    known: ['ApiId', 'Auth', 'Method', 'Path', 'PayloadFormatVersion', 'RouteSettings', 'TimeoutInMillis'],
    required: [],
  },
}

export function lintTemplate(text: string, db: SpecDatabase = loadAwsServiceSpecSync()): LintResult {
  const errors: LintMessage[] = []
  const warnings: LintMessage[] = []
  const error = (path: string, message: string): undefined => {
    errors.push({ path, message })
  }

  let template: Record<string, unknown>
  try {
    template = parseTemplate(text)
  } catch (cause) {
    return { errors: [{ path: '', message: `not YAML: ${(cause as Error).message}` }], warnings }
  }
  if (!isObject(template)) return { errors: [{ path: '', message: 'not a template' }], warnings }

  for (const key of Object.keys(template)) if (!SECTIONS.has(key)) error(key, 'unknown section')
  const isSam = template.Transform === 'AWS::Serverless-2016-10-31'
  if (template.Globals !== undefined && !isSam) error('Globals', 'Globals need the SAM transform')

  const parameters = objectOr(template.Parameters)
  const conditions = objectOr(template.Conditions)
  const resources = objectOr(template.Resources)
  if (Object.keys(resources).length === 0) error('Resources', 'a template needs at least one resource')

  const resourceType = (name: string) => {
    const resource = resources[name]
    return isObject(resource) && typeof resource.Type === 'string' ? resource.Type : undefined
  }
  const lookup = (type: string) => db.lookup('resource', 'cloudFormationType', 'equals', type)[0]
  const typeDefinition = (id: string) => db.get('typeDefinition', id) as unknown as { properties: SpecProperties }

  // ---- parameters
  for (const [name, parameter] of Object.entries(parameters)) {
    const path = `Parameters.${name}`
    if (!isObject(parameter)) {
      error(path, 'must be an object')
      continue
    }
    for (const key of Object.keys(parameter)) if (!PARAMETER_KEYS.has(key)) error(`${path}.${key}`, 'unknown key')
    const type = parameter.Type
    if (
      typeof type !== 'string' ||
      !/^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:<>]+|List<AWS::[A-Za-z0-9:]+>)$/.test(type)
    ) {
      error(`${path}.Type`, `not a parameter type: ${String(type)}`)
    }
    const fallback = parameter.Default
    if (fallback !== undefined) {
      if (Array.isArray(parameter.AllowedValues) && !parameter.AllowedValues.map(String).includes(String(fallback))) {
        error(`${path}.Default`, `${String(fallback)} is not one of its AllowedValues`)
      }
      if (typeof parameter.AllowedPattern === 'string' && String(fallback) !== '') {
        if (!new RegExp(parameter.AllowedPattern).test(String(fallback))) {
          error(`${path}.Default`, `${String(fallback)} does not match its AllowedPattern`)
        }
      }
      if (type === 'Number' && !Number.isFinite(Number(fallback))) error(`${path}.Default`, 'not a number')
    }
  }

  // ---- references, anywhere below Resources, Outputs, Globals and Conditions
  const usedParameters = new Set<string>()
  const usedConditions = new Set<string>()
  const samGenerated = new Set<string>()
  for (const [name, resource] of Object.entries(resources)) {
    if (isObject(resource) && resource.Type === 'AWS::Serverless::Function') samGenerated.add(`${name}Role`)
  }
  const refTarget = (target: unknown, path: string, via: string): undefined => {
    if (typeof target !== 'string') return error(path, `${via} needs a name`)
    if (PSEUDO.has(target)) return
    if (target in parameters) {
      usedParameters.add(target)
      return
    }
    if (target in resources || samGenerated.has(target)) return
    error(path, `${via} to ${target}, which is neither a parameter, a resource nor a pseudo parameter`)
  }
  const getAtt = (resource: string, attribute: string, path: string): undefined => {
    const type = resourceType(resource)
    if (!type) return error(path, `Fn::GetAtt of ${resource}, which is not a resource`)
    const known = attributesOf(type)
    if (known && !known.includes(attribute.split('.')[0] ?? attribute)) {
      error(path, `${type} has no attribute ${attribute} (it has ${known.join(', ') || 'none'})`)
    }
  }
  const attributesOf = (type: string): string[] | undefined => {
    if (type === 'AWS::Serverless::Function') return ['Arn']
    if (type.startsWith('AWS::Serverless::') || type.startsWith('Custom::')) return undefined
    const spec = lookup(type)
    return spec ? Object.keys(spec.attributes) : undefined
  }
  const walk = (value: unknown, path: string): undefined => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`)
      return
    }
    if (!isObject(value)) return
    const keys = Object.keys(value)
    if (keys.length === 1 && keys[0] === 'Ref') return refTarget(value.Ref, path, 'Ref')
    if (keys.length === 1 && keys[0] === 'Condition' && typeof value.Condition === 'string') {
      if (!(value.Condition in conditions)) error(path, `Condition ${value.Condition} is not defined`)
      usedConditions.add(value.Condition)
      return
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const target = value['Fn::GetAtt']
      if (Array.isArray(target) && typeof target[0] === 'string' && typeof target[1] === 'string') {
        return getAtt(target[0], target[1], path)
      }
      return error(path, 'Fn::GetAtt needs [resource, attribute]')
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const sub = value['Fn::Sub']
      const [text, variables] = Array.isArray(sub) ? [sub[0], objectOr(sub[1])] : [sub, {}]
      if (typeof text !== 'string') return error(path, 'Fn::Sub needs a string')
      for (const [, name] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        if (name === undefined || name in variables) continue
        const [resource, ...attribute] = name.split('.')
        if (attribute.length > 0 && resource) getAtt(resource, attribute.join('.'), path)
        else refTarget(name, path, `Fn::Sub variable \${${name}}`)
      }
      return walk(variables, path)
    }
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const branches = value['Fn::If']
      if (!Array.isArray(branches) || branches.length !== 3 || typeof branches[0] !== 'string') {
        return error(path, 'Fn::If needs [condition, then, else]')
      }
      if (!(branches[0] in conditions)) error(path, `Fn::If on ${branches[0]}, which is not a condition`)
      usedConditions.add(branches[0])
      walk(branches[1], path)
      return walk(branches[2], path)
    }
    for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`)
  }
  walk(template.Conditions, 'Conditions')
  walk(template.Globals, 'Globals')
  walk(template.Outputs, 'Outputs')
  for (const [name, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue
    // a resource's own Condition attribute names a condition directly
    if (typeof resource.Condition === 'string') {
      if (!(resource.Condition in conditions)) error(`Resources.${name}.Condition`, 'not a condition')
      usedConditions.add(resource.Condition)
    }
    walk(resource.Properties, `Resources.${name}.Properties`)
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (typeof dependency !== 'string' || !(dependency in resources)) {
        error(`Resources.${name}.DependsOn`, `${String(dependency)} is not a resource`)
      }
    }
  }
  for (const [name, output] of Object.entries(objectOr(template.Outputs))) {
    if (!isObject(output) || output.Value === undefined) error(`Outputs.${name}`, 'an output needs a Value')
  }

  // ---- values against the schemas
  /** True when `value` is an intrinsic whose result cannot be typed here. */
  const opaque = (value: unknown) =>
    isObject(value) && Object.keys(value).length === 1 && /^(Ref|Fn::\w+)$/.test(Object.keys(value)[0] ?? '')

  /** Checks a value against its schema type; `scope` names it for {@link RANGES} (`Type.Property.Sub`). */
  const checkValue = (value: unknown, type: PropertyType, path: string, scope: string): undefined => {
    const range = RANGES[scope]
    if (isObject(value) && Object.keys(value).length === 1 && 'Fn::If' in value) {
      const branches = value['Fn::If'] as unknown[]
      for (const branch of branches.slice(1)) {
        if (!(isObject(branch) && branch.Ref === 'AWS::NoValue')) checkValue(branch, type, path, scope)
      }
      return
    }
    if (opaque(value)) return
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (!['string', 'number', 'boolean'].includes(typeof value)) return error(path, 'expects a string')
        break
      case 'number':
      case 'integer': {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
        if (typeof number !== 'number' || !Number.isFinite(number)) return error(path, `expects a ${type.type}`)
        if (type.type === 'integer' && !Number.isInteger(number)) return error(path, 'expects an integer')
        if (range && (number < range[0] || number > range[1])) {
          return error(path, `${number} is outside ${range[0]}..${range[1]}`)
        }
        break
      }
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') return error(path, 'expects a boolean')
        break
      case 'json':
      case 'null':
        return
      case 'array':
        if (!Array.isArray(value)) return error(path, 'expects a list')
        for (const [i, item] of value.entries()) checkValue(item, type.element, `${path}[${i}]`, scope)
        return
      case 'map':
        if (!isObject(value)) return error(path, 'expects a map')
        for (const [key, item] of Object.entries(value)) checkValue(item, type.element, `${path}.${key}`, scope)
        return
      case 'tag':
        if (!isObject(value)) return error(path, 'expects a tag')
        return checkObject(value, TAG, path, scope)
      case 'ref':
        if (!isObject(value)) return error(path, 'expects an object')
        return checkObject(value, typeDefinition(type.reference.$ref).properties, path, scope)
      case 'union': {
        const attempts = type.types.map((branch) => {
          const before = errors.length
          checkValue(value, branch, path, scope)
          return errors.splice(before)
        })
        if (attempts.some((found) => found.length === 0)) return
        errors.push(...(attempts[0] ?? []))
        return
      }
    }
    if ('allowedValues' in type && type.allowedValues && !type.allowedValues.map(String).includes(String(value))) {
      error(path, `${String(value)} is not one of ${type.allowedValues.join(', ')}`)
    }
  }

  const checkObject = (
    value: Record<string, unknown>,
    properties: SpecProperties,
    path: string,
    scope: string,
    namesOnly = false,
  ): undefined => {
    for (const [key, item] of Object.entries(value)) {
      const property = properties[key]
      if (!property) {
        error(`${path}.${key}`, `unknown property (known: ${Object.keys(properties).sort().join(', ')})`)
        continue
      }
      if (!namesOnly) checkValue(item, property.type, `${path}.${key}`, `${scope}.${key}`)
    }
    if (namesOnly) return
    for (const [key, property] of Object.entries(properties)) {
      if (property.required && !(key in value)) error(path, `misses the required property ${key}`)
    }
  }
  const specOf = (type: string) => lookup(type)?.properties as SpecProperties | undefined
  const typeOf = (owner: string, property: string): PropertyType | undefined => specOf(owner)?.[property]?.type

  // ---- Globals
  const globals = objectOr(template.Globals)
  const globalFunction = objectOr(globals.Function)
  for (const key of Object.keys(globalFunction)) {
    if (!SAM_GLOBALS_FUNCTION.has(key)) error(`Globals.Function.${key}`, 'not a property SAM takes in Globals')
  }
  for (const section of Object.keys(globals)) {
    if (!['Function', 'Api', 'HttpApi', 'SimpleTable', 'StateMachine', 'LayerVersion'].includes(section)) {
      error(`Globals.${section}`, 'not a Globals section')
    }
  }

  // ---- resources
  for (const [name, resource] of Object.entries(resources)) {
    const path = `Resources.${name}`
    if (!/^[A-Za-z0-9]+$/.test(name)) error(path, 'logical ids are alphanumeric')
    if (!isObject(resource)) {
      error(path, 'must be an object')
      continue
    }
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) error(`${path}.${key}`, 'unknown key')
    const type = resource.Type
    if (typeof type !== 'string') {
      error(`${path}.Type`, 'missing')
      continue
    }
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') continue
    const spec = specOf(type)
    if (!spec) {
      error(`${path}.Type`, `unknown resource type ${type}`)
      continue
    }
    const properties = objectOr(resource.Properties)
    if (resource.Properties !== undefined && !isObject(resource.Properties))
      error(`${path}.Properties`, 'must be an object')
    if (type === 'AWS::Serverless::Function') {
      checkFunction({ ...globalFunction, ...properties }, `${path}.Properties`)
    } else if (type.startsWith('AWS::Serverless::')) {
      // SAM resources the template does not use much: property names only (the schema package's SAM part is old)
      checkObject(properties, spec, `${path}.Properties`, type, true)
    } else {
      checkObject(properties, spec, `${path}.Properties`, type)
    }
  }

  function checkFunction(properties: Record<string, unknown>, path: string) {
    const lambda = specOf('AWS::Lambda::Function') ?? {}
    for (const [key, value] of Object.entries(properties)) {
      if (SAM_FUNCTION_PASSTHROUGH.includes(key) && lambda[key]) {
        checkValue(value, lambda[key].type, `${path}.${key}`, `AWS::Lambda::Function.${key}`)
      } else if (!SAM_FUNCTION_OWN.has(key)) {
        error(`${path}.${key}`, 'not a property of AWS::Serverless::Function')
      }
    }
    if (!properties.Handler && !properties.ImageUri) error(path, 'a zip function needs a Handler')
    if (!properties.Runtime && !properties.ImageUri) error(path, 'a zip function needs a Runtime')
    if (!properties.CodeUri && !properties.InlineCode && !properties.ImageUri) error(path, 'needs CodeUri')
    if (properties.Tracing !== undefined && !opaque(properties.Tracing)) {
      if (!['Active', 'PassThrough', 'Disabled'].includes(String(properties.Tracing))) {
        error(`${path}.Tracing`, 'is Active, PassThrough or Disabled')
      }
    }
    const invoke = properties.EventInvokeConfig
    if (isObject(invoke)) {
      checkObject(
        invoke,
        {
          MaximumRetryAttempts: { type: { type: 'integer' } },
          MaximumEventAgeInSeconds: { type: { type: 'integer' } },
          DestinationConfig: { type: { type: 'json' } },
        },
        `${path}.EventInvokeConfig`,
        'AWS::Lambda::EventInvokeConfig',
      )
      const destinations = objectOr(invoke.DestinationConfig)
      for (const [key, destination] of Object.entries(destinations)) {
        const at = `${path}.EventInvokeConfig.DestinationConfig.${key}`
        if (!['OnFailure', 'OnSuccess'].includes(key)) error(at, 'is OnFailure or OnSuccess')
        if (!isObject(destination)) continue
        for (const field of Object.keys(destination))
          if (!['Type', 'Destination'].includes(field)) error(`${at}.${field}`, 'unknown')
        if (!['SQS', 'SNS', 'Lambda', 'EventBridge', 'S3Bucket'].includes(String(destination.Type))) {
          error(`${at}.Type`, 'is SQS, SNS, Lambda, EventBridge or S3Bucket')
        }
      }
    }
    for (const [eventName, event] of Object.entries(objectOr(properties.Events))) {
      const at = `${path}.Events.${eventName}`
      if (!isObject(event)) {
        error(at, 'must be an object')
        continue
      }
      for (const key of Object.keys(event))
        if (!['Type', 'Properties'].includes(key)) error(`${at}.${key}`, 'unknown key')
      const eventType = String(event.Type)
      if (!SAM_EVENT_TYPES.has(eventType)) {
        error(`${at}.Type`, `unknown event type ${eventType}`)
        continue
      }
      const shape = SAM_EVENT_PROPERTIES[eventType]
      if (!shape) {
        warnings.push({ path: at, message: `${eventType} events are not checked property by property` })
        continue
      }
      const eventProperties = objectOr(event.Properties)
      for (const key of Object.keys(eventProperties)) {
        if (!shape.known.includes(key)) error(`${at}.Properties.${key}`, `not a property of a ${eventType} event`)
      }
      for (const key of shape.required) if (!(key in eventProperties)) error(`${at}.Properties`, `misses ${key}`)
      if (eventType === 'ScheduleV2') checkScheduleV2(eventProperties, `${at}.Properties`)
      if (eventType === 'HttpApi' && eventProperties.ApiId !== undefined) {
        const api = eventProperties.ApiId
        if (!(isObject(api) && typeof api.Ref === 'string' && resourceType(api.Ref) === 'AWS::Serverless::HttpApi')) {
          error(`${at}.Properties.ApiId`, 'must be a Ref to an AWS::Serverless::HttpApi of this template')
        }
      }
    }
  }

  function checkScheduleV2(properties: Record<string, unknown>, path: string) {
    const schedule = specOf('AWS::Scheduler::Schedule') ?? {}
    for (const key of [
      'ScheduleExpression',
      'ScheduleExpressionTimezone',
      'State',
      'FlexibleTimeWindow',
      'GroupName',
    ]) {
      const type = schedule[key]?.type
      if (properties[key] !== undefined && type)
        checkValue(properties[key], type, `${path}.${key}`, `AWS::Scheduler::Schedule.${key}`)
    }
    const expression = properties.ScheduleExpression
    if (
      typeof expression === 'string' &&
      !/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\)|at\(.+\))$/.test(expression)
    ) {
      error(`${path}.ScheduleExpression`, `${expression} is not rate(…), cron(…) or at(…)`)
    }
    const retry = typeOf('AWS::Scheduler::Schedule', 'Target')
    if (properties.RetryPolicy !== undefined && retry?.type === 'ref') {
      const target = typeDefinition(retry.reference.$ref).properties
      const policy = target.RetryPolicy?.type
      if (policy?.type === 'ref' && isObject(properties.RetryPolicy)) {
        checkObject(
          properties.RetryPolicy,
          typeDefinition(policy.reference.$ref).properties,
          `${path}.RetryPolicy`,
          'AWS::Scheduler::Schedule.RetryPolicy',
        )
      }
    }
    const input = properties.Input
    if (typeof input === 'string') {
      try {
        JSON.parse(input)
      } catch {
        error(`${path}.Input`, 'a Lambda target needs well-formed JSON')
      }
    } else if (input !== undefined && !opaque(input)) {
      error(`${path}.Input`, 'expects a string')
    }
    if (properties.OmitName === true && properties.Name !== undefined)
      error(`${path}.Name`, 'cannot be set with OmitName')
    const dlq = properties.DeadLetterConfig
    if (dlq !== undefined) {
      if (!isObject(dlq)) error(`${path}.DeadLetterConfig`, 'must be an object')
      else {
        for (const key of Object.keys(dlq)) {
          if (!['Arn', 'Type', 'QueueLogicalId'].includes(key)) error(`${path}.DeadLetterConfig.${key}`, 'unknown')
        }
        if ('Arn' in dlq === 'Type' in dlq) error(`${path}.DeadLetterConfig`, 'needs either Arn or Type, not both')
        if ('Type' in dlq && dlq.Type !== 'SQS') error(`${path}.DeadLetterConfig.Type`, 'is SQS')
      }
    }
  }

  for (const name of Object.keys(parameters)) {
    if (!usedParameters.has(name)) warnings.push({ path: `Parameters.${name}`, message: 'never used' })
  }
  for (const name of Object.keys(conditions)) {
    if (!usedConditions.has(name)) warnings.push({ path: `Conditions.${name}`, message: 'never used' })
  }
  return { errors, warnings }
}

const TAG: SpecProperties = { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' } } }

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function objectOr(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {}
}
