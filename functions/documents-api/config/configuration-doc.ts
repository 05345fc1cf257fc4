/**
 * docs/configuration.md, made from the table of variables: `npm run
 * docs:config` writes it, and a test fails when the committed page and the
 * table drift apart.
 */
import { COMMAND_VARIABLES, SERVICE_VARIABLES, type Variable } from './variables.ts'

export const CONFIGURATION_DOC_PATH = 'docs/configuration.md'

export function configurationDoc(): string {
  return `${[
    '# Configuration',
    '',
    '<!-- Generated from functions/documents-api/config/variables.ts by `npm run docs:config`; edit that file. -->',
    '',
    'Every variable the project reads. Each is checked when its reader starts: a value it does not',
    'accept stops the start with a message that names the variable and what it accepts (a',
    "secret's value is never repeated). An empty value counts as unset. The Worker, which cannot",
    'refuse to start, answers every request with a 500 problem that says the same.',
    '',
    '## The service (`npm start`, the Worker, the Lambda, `npm run warm`)',
    '',
    ...table(SERVICE_VARIABLES),
    '',
    '## The commands',
    '',
    ...table(COMMAND_VARIABLES),
  ].join('\n')}\n`
}

function table(variables: Readonly<Record<string, Variable>>): string[] {
  return [
    '| variable | read by | accepts | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(variables).map(
      ([name, { readBy, kind, meaning, default: byDefault }]) =>
        `| \`${name}\` | ${readBy} | ${cell(kind.accepted)} | ${byDefault ?? '—'} | ${cell(meaning)} |`,
    ),
  ]
}

const cell = (text: string) => text.replaceAll('|', '\\|')
