/**
 * Request validation: a middleware per part of the request (path parameters,
 * query, headers, JSON body) that parses it with its zod schema, hands the
 * route the parsed value (`c.req.valid(target)`), and refuses anything else
 * with a 400 problem whose detail names every field at fault, unknown ones
 * included.
 *
 * Its type carries the schema's input and output, so a typed client
 * (`hc<AppType>`) knows what each route takes.
 */
import type { MiddlewareHandler } from 'hono'
import type { HandlerResponse } from 'hono/types'
import { validator } from 'hono/validator'
import type * as z from 'zod/mini'
import { ProblemError } from './problems.ts'

export type Target = 'param' | 'query' | 'header' | 'json'

/**
 * The middleware of one part: `Answers` are the problems the route may answer
 * (its documented statuses), which a typed client sees beside the route's own.
 */
export type Validated<
  T extends Target,
  S extends z.ZodMiniType,
  Answers extends HandlerResponse<unknown> = never,
> = MiddlewareHandler<
  // biome-ignore lint/suspicious/noExplicitAny: any app's environment
  any,
  string,
  { in: { [K in T]: z.input<S> }; out: { [K in T]: z.output<S> } },
  [Answers] extends [never] ? Response : Answers
>

/** `schema` is built on the first request the validator sees (`lazily`). */
export function validated<T extends Target, S extends z.ZodMiniType>(target: T, schema: () => S) {
  let built: S | undefined
  return validator(target, (value) => {
    built ??= schema()
    const result = built.safeParse(value)
    if (!result.success) throw new ProblemError(400, describeIssues(result.error.issues))
    return result.data
  }) as Validated<T, S>
}

interface Issue {
  readonly path: readonly PropertyKey[]
  readonly message: string
  readonly code?: string
  readonly keys?: readonly string[]
}

/** One detail for every issue: `title: Too small: ...; unknown field: owner`. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        const where = issue.path.length ? ` in ${issue.path.join('.')}` : ''
        return `unknown field${issue.keys.length > 1 ? 's' : ''}${where}: ${issue.keys.join(', ')}`
      }
      return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message
    })
    .join('; ')
}
