/**
 * Inside this workspace `@serverless-dal/repository` resolves to its
 * TypeScript sources, so nothing needs a build step first: its `exports` map
 * puts them under this custom condition, ahead of `types` and the built
 * `dist/` that an installed copy uses. Every resolver in the workspace names
 * it: tsconfig's `customConditions`, Vitest's resolve conditions, the
 * esbuild and wrangler builds below, and Node itself through `.npmrc`
 * (`node-options`, for tsx under npm and npx).
 */
export const SOURCE_CONDITION = '@serverless-dal/source'

/** Wrangler bundles with these conditions (its own `workerd, worker, browser`, after ours). */
export const WRANGLER_BUILD_CONDITIONS = [SOURCE_CONDITION, 'workerd', 'worker', 'browser'].join(',')

/** Node's flag for a child process started outside npm (`process.execPath --import tsx …`). */
export const SOURCE_CONDITION_FLAG = `--conditions=${SOURCE_CONDITION}`
