/**
 * The `/docs` page's renderer files on Node, read from the installed
 * `swagger-ui-dist` package (or from a directory that holds copies of them),
 * once, then kept in memory: about 1.9 MB, worth no disk read per request.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { DOCS_FILES, type DocsFileName, type DocsFiles, isDocsFile } from './files.ts'

/** Where each file is on disk: in the installed package, or in `directory` when given. */
export function docsFilePath(name: DocsFileName, directory?: string): string {
  return directory ? join(directory, name) : createRequire(import.meta.url).resolve(DOCS_FILES[name].from)
}

export function nodeDocsFiles(directory?: string): DocsFiles {
  const read = new Map<DocsFileName, Promise<Uint8Array>>()
  return async (name) => {
    if (!isDocsFile(name)) return undefined
    let bytes = read.get(name)
    if (!bytes) {
      bytes = readFile(docsFilePath(name, directory))
      read.set(name, bytes)
      bytes.catch(() => read.delete(name)) // a failed read is retried by the next request
    }
    return new Response(await bytes, {
      headers: { 'content-type': DOCS_FILES[name].type, 'cache-control': 'public, max-age=3600' },
    })
  }
}
