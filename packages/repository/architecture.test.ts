/**
 * The package's shape, checked on every run rather than promised: small
 * files, the cache and the repositories meeting only at the port, no driver
 * behind the main entry, no documents domain, and one documented adapter
 * instead of casts scattered through the code.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = new URL('./src', import.meta.url).pathname

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

const files = sources().map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }))
/** What a file imports or re-exports (statements only: examples in comments do not count). */
const importsOf = (text: string) =>
  [...text.matchAll(/^(?:import|export|\})[^'\n]* from '([^']+)'/gm)].map((match) => match[1] as string)

describe('the package', () => {
  it('keeps every file under 250 lines', () => {
    const long = files.filter(({ text }) => text.split('\n').length > 251).map(({ path }) => path)
    expect(long).toEqual([])
  })

  it('lets the repositories and the cache meet only at the cache port', () => {
    const crossings = files.flatMap(({ path, text }) =>
      importsOf(text)
        .filter((target) =>
          path.startsWith('repositories/')
            ? target.startsWith('../cache/') && target !== '../cache/port.ts'
            : path.startsWith('cache/') && target.startsWith('../repositories/'),
        )
        .map((target) => `${path} → ${target}`),
    )
    expect(crossings).toEqual([])
  })

  it('imports a driver only from its subpath entry', () => {
    const drivers = /^(@neondatabase\/serverless|@electric-sql\/pglite|pg|@aws-lambda-powertools\/(metrics|logger))$/
    const powertoolsEntries = ['metrics/powertools-sink.ts', 'logging/powertools-logger.ts']
    const offenders = files
      .filter(({ path }) => !path.startsWith('drivers/') && !powertoolsEntries.includes(path))
      .flatMap(({ path, text }) =>
        importsOf(text)
          .filter((target) => drivers.test(target))
          .map((t) => `${path} → ${t}`),
      )
    expect(offenders).toEqual([])
  })

  it('knows no table of the documents domain', () => {
    const mentions = files.filter(({ text }) => /\b(from|into|table)\(?\s*'(documents|topics|summaries)'/.test(text))
    expect(mentions.map(({ path }) => path)).toEqual([])
  })

  it('has one documented adapter instead of `Kysely<any>`, `as unknown as` or `as never`', () => {
    const casts = files.flatMap(({ path, text }) =>
      text
        .split('\n')
        .filter((line) => /Kysely<any>|as unknown as|as never\b/.test(line) && !line.trim().startsWith('*'))
        .map((line) => `${path}: ${line.trim()}`),
    )
    expect(casts).toEqual([
      'repositories/table-db.ts: return db as unknown as TableDb // the adapter: see the module comment',
    ])
  })
})
