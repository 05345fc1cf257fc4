/**
 * The Worker's static assets (wrangler.toml `[assets]`): Swagger UI's files
 * for the `/docs` page, copied from `swagger-ui-dist` to `dist/assets/docs/`,
 * which Cloudflare answers before the Worker runs — so they never weigh on the
 * Worker's bundle — and a `_headers` file that gives those answers the same
 * security headers the app gives its own (`apiSecureHeaders`, asked for them
 * here rather than written twice).
 *
 * `npm run build` and `npm run dev:worker` call it before wrangler, which
 * refuses an `[assets]` directory that does not exist. A file is replaced
 * only when its content changed, by a rename from outside the directory, so
 * a wrangler or workerd reading it meanwhile never sees half a file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { DOCS_FILES, type DocsFileName } from '../../functions/documents-api/docs/files.ts'
import { docsFilePath } from '../../functions/documents-api/docs/node-files.ts'
import { apiSecureHeaders } from '../../functions/documents-api/http/secure-headers.ts'

const root = new URL('../..', import.meta.url).pathname

/** wrangler.toml's `[assets] directory`. */
export const ASSETS_DIRECTORY = join(root, 'dist/assets')

export async function prepareDocsAssets(directory = ASSETS_DIRECTORY): Promise<string[]> {
  const written: string[] = []
  const staging = join(dirname(directory), `.assets-${process.pid}`)
  mkdirSync(staging, { recursive: true })
  const place = (name: string, content: Buffer | string) => {
    const target = join(directory, name)
    if (same(target, content)) return
    mkdirSync(dirname(target), { recursive: true })
    const temporary = join(staging, name.replaceAll('/', '_'))
    writeFileSync(temporary, content)
    renameSync(temporary, target)
    written.push(name)
  }
  try {
    for (const name of Object.keys(DOCS_FILES) as DocsFileName[]) {
      place(`docs/${name}`, readFileSync(docsFilePath(name)))
    }
    place('_headers', await headersFile())
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return written
}

/** The security headers `apiSecureHeaders` sets, for every file under `/docs/`. */
async function headersFile(): Promise<string> {
  const answer = await new Hono()
    .use(apiSecureHeaders())
    .get('*', (c) => c.body(null, 204))
    .request('/docs/swagger-ui.css')
  const lines = [...answer.headers].map(([name, value]) => `  ${name}: ${value}`)
  return [
    '# Written by infra/build/docs-assets.ts: the headers the app gives its own answers.',
    '/docs/*',
    ...lines,
    '',
  ].join('\n')
}

function same(path: string, content: Buffer | string): boolean {
  try {
    return readFileSync(path).equals(Buffer.from(content))
  } catch {
    return false
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const written = await prepareDocsAssets()
  console.log(`${ASSETS_DIRECTORY}: ${written.length ? written.join(', ') : 'up to date'}`)
}
