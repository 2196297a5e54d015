import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
/** Debian 13's `nodejs` (PVE 9's base): the oldest Node the service must run on. */
const debianTrixieNode = '20.19.2'

interface LockEntry {
  version?: string
  dev?: boolean
  engines?: { node?: string }
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(join(root, file), 'utf8'))
}

describe('runs on the Node.js of a Proxmox VE 9 node', () => {
  it("declares a minimum Node that Debian 13's nodejs meets", () => {
    const manifest = readJson('package.json') as { engines: { node: string } }
    expect(semver.satisfies(debianTrixieNode, manifest.engines.node)).toBe(true)
  })

  it('has no runtime dependency that asks for a newer Node than the declared minimum', () => {
    const manifest = readJson('package.json') as { engines: { node: string } }
    const lowest = semver.minVersion(manifest.engines.node)?.version ?? ''
    const lock = readJson('package-lock.json') as { packages: Record<string, LockEntry> }
    const tooNew = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev !== true)
      .filter(([, entry]) => entry.engines?.node !== undefined)
      .filter(([, entry]) => !semver.satisfies(lowest, entry.engines?.node ?? '*'))
      .map(
        ([path, entry]) =>
          `${path}@${entry.version ?? '?'} wants node ${entry.engines?.node ?? ''}`,
      )
    expect(tooNew).toEqual([])
  })
})
