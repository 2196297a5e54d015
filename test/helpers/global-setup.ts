import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Vitest's global setup: the compiled service (dist/) and the dashboard bundle are what the
 * `pve-qemu` command, the crash test and the package test run, so they are brought up to date
 * once before any test (a no-op when nothing changed).
 */
export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build-if-stale.mjs', import.meta.url))
  execFileSync(process.execPath, [script], { stdio: 'inherit' })
}
