/**
 * An operation of the HTTP contract, said once: its method and path, what
 * it takes and what it answers. The route is registered from it (its path
 * and its validators, `valid.param` and the like), and `/openapi.json` is
 * written from it (`document.ts`), so the document describes exactly what
 * the routes check.
 *
 * ```ts
 * const getTopic = operation({ method: 'get', path: '/topics/:id', tags: ['topics'], summary: 'A topic',
 *   request: { params: IdParam }, responses: { 200: json(Topic, 'the topic') } })
 * app.get(getTopic.path, getTopic.valid.param, (c) => c.json(...))
 * ```
 */
import type { TypedResponse } from 'hono'
import type { StatusCode } from 'hono/utils/http-status'
import type * as z from 'zod/mini'
import type { ProblemBody } from '../http/problems.ts'
import { type Validated, validated } from '../http/validate.ts'
import type { ResponseName } from './response-schemas.ts'

type Schema = z.ZodMiniType

export interface ResponseSpec {
  readonly description: string
  /** An answer's schema by its name (`response-schemas.ts`, loaded only to write the document). */
  readonly content?: { readonly [mediaType: string]: { readonly schema: ResponseName } }
  /** Header fields of the answer, as OpenAPI header objects. */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: object }>>
}

export interface OperationSpec {
  readonly method: 'get' | 'post' | 'patch' | 'delete'
  /** In Hono's form, `/documents/:id`; the document writes `/documents/{id}`. */
  readonly path: string
  readonly tags: readonly string[]
  readonly summary: string
  /** `[]`: answered without a token. @default the document's Bearer token */
  readonly security?: readonly []
  /** Each part's schema as built on first use (`lazily` in http/schemas.ts). */
  readonly request?: {
    readonly params?: () => Schema
    readonly query?: () => Schema
    readonly headers?: () => Schema
    /** A JSON body; every body of this API is required. */
    readonly body?: { readonly schema: () => Schema; readonly description: string }
  }
  readonly responses: Readonly<Record<number, ResponseSpec>>
}

type Request = NonNullable<OperationSpec['request']>

/** The statuses an operation answers with a problem. */
type ProblemStatuses<S extends OperationSpec> = {
  [K in keyof S['responses']]: S['responses'][K] extends { content: { 'application/problem+json': unknown } }
    ? K
    : never
}[keyof S['responses']]

/** Its problems as a typed client sees them: each documented status with a problem body. */
type Problems<S extends OperationSpec> = TypedResponse<ProblemBody, ProblemStatuses<S> & StatusCode, 'json'>

/**
 * The validators of the parts an operation takes, by Hono's target names. Each carries the
 * operation's problems in its type (never at run time), so the route's type has them.
 */
export type Validators<S extends OperationSpec, R = S['request'], A extends Problems<S> = Problems<S>> = (R extends {
  params: () => infer P extends Schema
}
  ? { param: Validated<'param', P, A> }
  : unknown) &
  (R extends { query: () => infer Q extends Schema } ? { query: Validated<'query', Q, A> } : unknown) &
  (R extends { headers: () => infer H extends Schema } ? { header: Validated<'header', H, A> } : unknown) &
  (R extends { body: { schema: () => infer B extends Schema } } ? { json: Validated<'json', B, A> } : unknown)

export type Operation<S extends OperationSpec> = S & { readonly valid: Validators<S> }

export function operation<const S extends OperationSpec>(spec: S): Operation<S> {
  const request: Request = spec.request ?? {}
  const valid = {
    ...(request.params && { param: validated('param', request.params) }),
    ...(request.query && { query: validated('query', request.query) }),
    ...(request.headers && { header: validated('header', request.headers) }),
    ...(request.body && { json: validated('json', request.body.schema) }),
  }
  return { ...spec, valid } as Operation<S>
}

/** A JSON answer of the schema named `schema`. */
export const json = <const N extends ResponseName>(schema: N, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})
