/**
 * npm 11 runs a dependency's install scripts only as package.json's `allowScripts`
 * decides: today it runs the others with a warning at every install, a coming
 * release skips them. So every dependency with an install script has a decision
 * there; none is needed (see each below), and all three are refused.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../..', import.meta.url).pathname
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { allowScripts?: Record<string, unknown> }
const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>
}

/** The installed packages (not the workspace's own) that have an install script, by name. */
function packagesWithInstallScripts(): string[] {
  const names = Object.entries(lock.packages)
    .filter(([path, entry]) => entry.hasInstallScript && path.includes('node_modules/'))
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
  return [...new Set(names)].sort()
}

describe('install scripts', () => {
  it('every dependency with an install script has a decision in allowScripts, so npm install warns of none', () => {
    const decisions = manifest.allowScripts ?? {}
    const undecided = packagesWithInstallScripts().filter((name) => typeof decisions[name] !== 'boolean')
    expect(undecided, 'decide in package.json allowScripts (npm install-scripts approve|deny <name>)').toEqual([])
  })

  it('refuses those the project does not need', () => {
    // esbuild and workerd: their postinstall only checks the binary that npm already installed as an optional
    // dependency (@esbuild/linux-x64, @cloudflare/workerd-linux-64), swaps their JavaScript launcher for it, and
    // downloads it when optional dependencies were left out. Their APIs, which tsx, Vite, wrangler and Miniflare use,
    // find the binary in that package either way. @scarf/scarf (through swagger-ui-dist): install analytics.
    expect(manifest.allowScripts).toMatchObject({ esbuild: false, workerd: false, '@scarf/scarf': false })
  })
})
