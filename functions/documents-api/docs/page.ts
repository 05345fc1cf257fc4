/**
 * `GET /docs`: the API reference, rendered in the browser by Swagger UI from
 * this service's own `/openapi.json`. Everything the page loads comes from
 * this origin — its script, Swagger UI's files (`files.ts`), the document —
 * under a Content-Security-Policy that allows nothing else (`DOCS_CSP`), and
 * nothing is sent elsewhere (Swagger UI's online validator is off).
 *
 * The page and its small start script are answered here on every runtime;
 * Swagger UI's own files come from `files` where the runtime serves them
 * through the app (Node), and from the platform in front of the app where
 * it does not (Workers static assets, which answer before the Worker runs).
 */
import { Hono } from 'hono'
import { DOCS_CSP } from '../http/secure-headers.ts'
import type { DocsFiles } from './files.ts'

// Relative references: the page works under a path prefix too (`/stage/docs`).
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>serverless-dal documents API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/start.js"></script>
</body>
</html>
`

// A file of its own, not inline: the page's policy runs no inline script.
const START = `// Swagger UI over this service's own OpenAPI document; nothing goes to another host.
window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#reference',
  deepLinking: true,
  validatorUrl: null,
})
`

const pageHeaders = (type: string) => ({
  'content-type': type,
  'content-security-policy': DOCS_CSP,
  'cache-control': 'no-cache',
})

/** The page, its start script, and with `files` Swagger UI's files under `/docs/`. */
export function docsPage(files?: DocsFiles) {
  const page = new Hono()
    .get('/docs', (c) => c.body(PAGE, 200, pageHeaders('text/html; charset=utf-8')))
    .get('/docs/start.js', (c) => c.body(START, 200, pageHeaders('text/javascript; charset=utf-8')))
  if (files) {
    page.get('/docs/:file', async (c) => (await files(c.req.param('file'))) ?? c.notFound())
  }
  return page
}
