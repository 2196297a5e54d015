import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../../src/lib/package-root.js'

const work = mkdtempSync(join(tmpdir(), 'pve-qemu-package-root-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('packageRoot', () => {
  it('finds the checkout from a module at any depth', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')
    expect(packageRoot(import.meta.url)).toBe(root)
    expect(packageRoot(pathToFileURL(join(root, 'dist', 'chunks', 'chunk-X.js')).href)).toBe(root)
  })

  it("skips another package's manifest on the way up", () => {
    const installed = join(work, 'lib', 'node_modules', 'pve-qemu')
    mkdirSync(join(installed, 'dist', 'chunks'), { recursive: true })
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'pve-qemu' }))
    writeFileSync(join(installed, 'dist', 'package.json'), JSON.stringify({ type: 'module' }))
    const chunk = pathToFileURL(join(installed, 'dist', 'chunks', 'chunk-X.js')).href
    expect(packageRoot(chunk)).toBe(installed)
  })

  it('says so when no manifest of ours is above the module', () => {
    const stray = pathToFileURL(join(work, 'elsewhere', 'x.js')).href
    expect(() => packageRoot(stray)).toThrow(/no package.json of pve-qemu above/)
  })
})
