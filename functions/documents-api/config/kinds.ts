/**
 * The kinds of value an environment variable can hold, each with the phrase
 * that says what it accepts. Environment values are text: each kind trims it,
 * reads an empty value as unset (a blank line in a .env file, an empty
 * wrangler var), and parses what is left into the value the code uses.
 * `accepted` is the phrase a refusal quotes: "must be <accepted>".
 */
export interface Kind<T> {
  /** The value the code uses; `undefined` when the variable is unset; `refused` when it holds something else. */
  read(given: unknown): T | undefined | typeof refused
  /** What the variable accepts, for messages and the docs. */
  accepted: string
}

/** What `read` answers for a value the variable does not accept. */
export const refused: unique symbol = Symbol('refused')

function kind<T>(accepted: string, parse: (text: string) => T | undefined): Kind<T> {
  return {
    accepted,
    read(given) {
      // text, trimmed; empty (or not text: a Workers binding) is unset
      const text = typeof given === 'string' ? given.trim() : ''
      if (text === '') return undefined
      return parse(text) ?? refused
    },
  }
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
