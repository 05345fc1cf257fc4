/** `npm run docs:config`: writes docs/configuration.md from the table of variables. */
import { writeFileSync } from 'node:fs'
import { CONFIGURATION_DOC_PATH, configurationDoc } from '../config/configuration-doc.ts'

writeFileSync(new URL(`../../../${CONFIGURATION_DOC_PATH}`, import.meta.url), configurationDoc())
console.log(`wrote ${CONFIGURATION_DOC_PATH}`)
