/** The locales the bundles keep: English, zod's default. */
export { default as en } from 'zod/v4/locales/en.js'
