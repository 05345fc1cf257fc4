/** `z.core` of `./index.js`: zod's core, its `locales` English only. */
export * from 'zod/v4/core'
export * as locales from './locales.js'
