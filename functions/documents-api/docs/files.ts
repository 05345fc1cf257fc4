/**
 * The renderer's files the `/docs` page loads: Swagger UI's standalone bundle
 * and stylesheet, from the `swagger-ui-dist` package. They are never bundled
 * into the Worker's code (1.9 MB): each runtime serves them its own way —
 * Workers as static assets (`npm run build` copies them to `dist/assets`,
 * wrangler.toml's `[assets]`), Node from `node_modules` (`node-files.ts`).
 */

/** The files, by the name they have under `/docs/`, with the package file each one is. */
export const DOCS_FILES = {
  'swagger-ui-bundle.js': { from: 'swagger-ui-dist/swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { from: 'swagger-ui-dist/swagger-ui.css', type: 'text/css; charset=utf-8' },
} as const

export type DocsFileName = keyof typeof DOCS_FILES

/** Answers one of the renderer's files, or undefined when it is not one. */
export type DocsFiles = (name: string) => Promise<Response | undefined>

export function isDocsFile(name: string): name is DocsFileName {
  return Object.hasOwn(DOCS_FILES, name)
}
