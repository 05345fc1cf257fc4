/** `npm run docs:openapi`: writes openapi/openapi.json, the document `/openapi.json` serves, from the operations. */
import { writeFileSync } from 'node:fs'
import { OPERATIONS } from '../app.ts'
import { OPENAPI_JSON_URL, openApiJson } from '../openapi/document.ts'

writeFileSync(OPENAPI_JSON_URL, openApiJson(OPERATIONS))
console.log(`wrote ${OPENAPI_JSON_URL.pathname}`)
