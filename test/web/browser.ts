import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Debian's chromium package; `.ci/run` installs it when missing. */
export const chromiumPath = '/usr/bin/chromium'

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const artifactsDir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'web')

export interface Browser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

/** Headless Chromium with a fresh profile, one page open. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: apt-get install chromium (.ci/run does it)`)
  }
  const profile = mkdtempSync(join(tmpdir(), 'pve-qemu-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1400, height: 1000 },
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Builds the dashboard (skipped when it is up to date). */
export function buildDashboard(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'web', 'build.mjs')], {
    stdio: 'pipe',
  })
}

/** The README's pictures of the dashboard, refreshed by the browser test (committed). */
export const docsScreenshotsDir = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')

/** Saves a screenshot of the page as it is for the README, under docs/screenshots. */
export async function docsScreenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(docsScreenshotsDir, { recursive: true })
  await page.screenshot({ path: join(docsScreenshotsDir, `${name}.png`), fullPage })
}

/** Saves a full-page screenshot under test-artifacts/web. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true })
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true })
}
