import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The folder of pve-qemu's own package.json, found by walking up from `moduleUrl` (a module's
 * `import.meta.url`). Files shipped beside the code (web/dist, bin/sim) are found from there,
 * because a module's own depth differs between src/ (tsx, tests), the bundle in dist/ and its
 * chunks in dist/chunks/, where one fixed `../..` cannot fit all.
 */
export function packageRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl))
  for (let dir = start; ; dir = dirname(dir)) {
    if (isOurPackage(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json of pve-qemu above ${start}`)
  }
}

function isOurPackage(file: string): boolean {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return false
  }
  const manifest: unknown = JSON.parse(text)
  return (
    typeof manifest === 'object' &&
    manifest !== null &&
    'name' in manifest &&
    manifest.name === 'pve-qemu'
  )
}
