/**
 * `zod` in the bundles: zod's classic API, with English as its only locale.
 *
 * zod's `z` namespace re-exports every language's error messages (`z.locales`,
 * `z.core.locales`): 258 KiB of the 1.1 MiB Worker. A namespace that escapes
 * (as `z` does) keeps all of its members, so a bundler cannot drop them. The
 * bundles resolve the bare specifier `zod` here instead (wrangler.toml's
 * `[alias]`, `LAMBDA_BUILD`'s plugin): the same modules of the same zod,
 * re-exported, except that `locales` and `core.locales` hold English only.
 * English is what zod registers on its first schema anyway
 * (`zod/v4/classic/schemas.js`), so every message stays as it was.
 *
 * Only `zod` is substituted: `zod/v4` and `zod/v4/core`, imported here,
 * resolve to zod itself. Plain JavaScript, because `z` is this module's own
 * namespace (TypeScript refuses that re-export); types still come from zod,
 * since only the bundlers see the substitution.
 */
import * as z from './index.js'

export * from 'zod/v4'
export * as core from './core.js'
export * as locales from './locales.js'
export { z, z as default }
