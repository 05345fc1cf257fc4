/**
 * The README stays a front page (at most 12 KB, the rest in docs/), and every
 * relative link of the README and of docs/ names a file that exists, with its
 * heading when it names one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = new URL('..', import.meta.url).pathname
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-')

describe('the documentation', () => {
  it('keeps the README under 12 KB', () => {
    expect(readFileSync(join(root, 'README.md')).byteLength).toBeLessThanOrEqual(12 * 1024)
  })

  it.each(pages)('%s links only to files and headings that exist', (page) => {
    const text = readFileSync(join(root, page), 'utf8')
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue
      const [file, anchor] = target.split('#') as [string, string | undefined]
      const path = file ? join(root, dirname(page), file) : join(root, page)
      expect(existsSync(path), `${page} → ${target}`).toBe(true)
      if (anchor && path.endsWith('.md')) {
        const headings = [...readFileSync(path, 'utf8').matchAll(/^#+ (.+)$/gm)].map(([, heading]) =>
          anchorOf(heading ?? ''),
        )
        expect(headings, `${page} → ${target}`).toContain(anchor)
      }
    }
  })
})
