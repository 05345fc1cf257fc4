/**
 * Debian's Chromium, headless, through playwright-core (which downloads no
 * browser of its own): a fresh profile per launch, and every flag that keeps
 * the browser's own traffic (updates, sync, QUIC probes) off the network.
 * No Chromium is a failure that says how to install it, never a skip.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The `chromium` on PATH (Debian's package puts it at /usr/bin/chromium). */
export function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(
      "Debian's chromium is not installed, and the API reference test needs it: " +
        'apt-get install -y chromium (.ci/run installs it when it is missing)',
    )
  }
}

export interface HeadlessChromium {
  context: BrowserContext
  close(): Promise<void>
}

export async function launchChromium(): Promise<HeadlessChromium> {
  const executablePath = chromiumPath()
  const profile = await mkdtemp(join(tmpdir(), 'dal-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: FLAGS })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}
