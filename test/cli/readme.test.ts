import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generalHelp } from '../../src/cli/help.js'
import { defaultServiceUrl } from '../../src/cli/env.js'
import { exitCodes } from '../../src/cli/errors.js'

const root = join(import.meta.dirname, '..', '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

describe('the README for newcomers (issue 15.9)', () => {
  it('starts with PORT and PVE_QEMU_URL, and speaks no internal jargon', () => {
    const quickStart = readme.slice(
      readme.indexOf('## Quick start'),
      readme.indexOf('## Configuration'),
    )
    expect(quickStart).toContain('PORT=')
    expect(quickStart).toContain('PVE_QEMU_URL')
    expect(readme).not.toMatch(/\bseed\b/i)
  })

  it('links only to files that are in the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1] ?? '')
    const local = links.filter((link) => !/^[a-z]+:/.test(link))
    expect(local.length).toBeGreaterThan(0)
    for (const link of local) expect(existsSync(join(root, link)), link).toBe(true)
    for (const [, path] of readme.matchAll(/`((?:docs|deploy|reference)\/[^`\s]+)`/g))
      expect(existsSync(join(root, path ?? '')), path).toBe(true)
  })

  it('documents pending changes, /api/os, credentials, info and the dashboard controls', () => {
    for (const phrase of [
      'applies at next restart',
      '/api/os',
      '/api/jobs/:id/credentials',
      'pve-qemu credentials',
      'pve-qemu info',
      'detail pane',
      'migrate',
      '![The dashboard](docs/screenshots/dashboard.png)',
    ])
      expect(readme, phrase).toContain(phrase)
  })

  it('states the same defaults and exit statuses as --help and the code', () => {
    expect(readme).toContain(`default \`${defaultServiceUrl}\``)
    expect(generalHelp().join('\n')).toContain(defaultServiceUrl)
    for (const [status, meaning] of [
      [exitCodes.usage, 'wrong command line'],
      [exitCodes.cancelled, 'cancelled'],
      [exitCodes.unreachable, 'could not be reached'],
    ] as const) {
      expect(readme).toMatch(new RegExp(`\\| ${status} +\\| [^|]*${meaning}`))
      expect(generalHelp().join(' ')).toContain(`${status} `)
    }
  })
})
