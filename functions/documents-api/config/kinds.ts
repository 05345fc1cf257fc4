/**
 * The kinds of value an environment variable can hold, as zod schemas that
 * say what they accept. Environment values are text: each kind trims it,
 * reads an empty value as unset (a blank line in a .env file, an empty
 * wrangler var), and parses what is left into the value the code uses.
 * `accepted` is the phrase a refusal quotes: "must be <accepted>".
 */
import { z } from '@hono/zod-openapi'

export interface Kind<T> {
  schema: z.ZodType<T | undefined>
  /** What the variable accepts, for messages and the docs. */
  accepted: string
}

/** Text, trimmed; empty is unset. */
const present = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
  z.string().optional(),
)

function kind<T>(accepted: string, parse: (text: string) => T | undefined): Kind<T> {
  const schema = present.transform((text, context) => {
    if (text === undefined) return undefined
    const value = parse(text)
    if (value === undefined) {
      context.addIssue({ code: 'custom', message: `must be ${accepted}` })
      return z.NEVER
    }
    return value
  })
  return { schema, accepted }
}

export const text = (accepted = 'any text'): Kind<string> => kind(accepted, (value) => value)

/** A value `parse` reads, or refuses by throwing or returning undefined. */
export const parsed = <T>(accepted: string, parse: (value: string) => T | undefined): Kind<T> =>
  kind(accepted, (value) => {
    try {
      return parse(value)
    } catch {
      return undefined
    }
  })

export const matching = (pattern: RegExp, accepted: string): Kind<string> =>
  kind(accepted, (value) => (pattern.test(value) ? value : undefined))

/** At least `minBytes` bytes of UTF-8. */
export const secret = (minBytes: number): Kind<string> =>
  kind(`at least ${minBytes} bytes (a random string; openssl rand -hex 32)`, (value) =>
    new TextEncoder().encode(value).length >= minBytes ? value : undefined,
  )

export const wholeNumber = (min: number, max = 999_999_999): Kind<number> =>
  kind(`a whole number from ${min} to ${max}`, (value) => {
    if (!/^\d{1,15}$/.test(value)) return undefined
    const number = Number(value)
    return number >= min && number <= max ? number : undefined
  })

export const oneOf = <const T extends string>(values: readonly T[], caseless = false): Kind<T> =>
  kind(`one of ${values.join(', ')}`, (value) =>
    values.find((allowed) => (caseless ? allowed.toLowerCase() === value.toLowerCase() : allowed === value)),
  )

export const flag = (): Kind<boolean> =>
  kind('true or false', (value) => ({ true: true, false: false })[value.toLowerCase() as 'true' | 'false'])

/** A URL with one of these schemes, e.g. `['postgres:', 'postgresql:']`. */
export const url = (protocols: readonly string[]): Kind<string> =>
  kind(`a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`, (value) => {
    try {
      return protocols.includes(new URL(value).protocol) ? value : undefined
    } catch {
      return undefined
    }
  })

/** Comma-separated items, each accepted by `item`. */
export const list = (accepted: string, item: (value: string) => boolean): Kind<string[]> =>
  kind(`a comma-separated list of ${accepted}`, (value) => {
    const items = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
    return items.length > 0 && items.every(item) ? items : undefined
  })
