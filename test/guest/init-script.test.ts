import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  renderInitScript,
  withPasswordHashes,
  withRootPasswordHash,
} from '../../src/guest/init-script.js'
import { findRelease, osCatalog, type OsRelease } from '../../src/images/os-catalog.js'

function release(os: string, version: string): OsRelease {
  const found = findRelease(os, version)
  if (found === undefined) throw new Error(`no ${os} ${version} in the catalog`)
  return found
}

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0

describe('first-boot scripts', () => {
  it.each(osCatalog.map((entry) => [`${entry.os} ${entry.version}`, entry] as const))(
    '%s passes shellcheck',
    (_name, entry) => {
      expect(hasShellcheck, 'shellcheck is installed by .ci/run (Debian package)').toBe(true)
      const script = renderInitScript(entry, { timezone: 'Europe/Berlin' })
      const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
        input: script,
        encoding: 'utf8',
      })
      expect(result.stdout + result.stderr).toBe('')
      expect(result.status).toBe(0)
    },
  )

  it('installs the guest agent with the OS package manager and sets the time zone', () => {
    const debian = renderInitScript(release('debian', '12'), { timezone: 'UTC' })
    expect(debian).toContain('apt-get')
    expect(debian).toContain('qemu-guest-agent')
    const rocky = renderInitScript(release('rockylinux', '9'), { timezone: 'UTC' })
    expect(rocky).toContain('dnf')
    expect(rocky).not.toContain('apt-get')
  })

  it.each([
    ['debian', '12'],
    ['ubuntu', '24.04'],
    ['rockylinux', '9'],
  ])(
    'on %s %s starts the agent even where enabling its unit starts nothing (no [Install] section)',
    (os, version) => {
      const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-init-'))
      try {
        const log = join(dir, 'systemctl.log')
        const fake = (name: string, body: string): void => {
          writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`)
          chmodSync(join(dir, name), 0o755)
        }
        fake('id', 'echo 0')
        // every package is there already: nothing to install
        fake('dpkg-query', "printf 'install ok installed'")
        fake('rpm', 'exit 0')
        fake('timedatectl', 'echo UTC')
        // a unit without [Install]: enable succeeds and starts nothing
        fake('systemctl', `echo "$*" >> '${log}'`)
        const script = renderInitScript(release(os, version), { timezone: 'UTC' })
        const result = spawnSync('bash', ['-s'], {
          input: script,
          encoding: 'utf8',
          env: { PATH: `${dir}:/usr/bin:/bin` },
        })
        expect(result.stderr).toBe('')
        expect(result.status).toBe(0)
        expect(readFileSync(log, 'utf8').split('\n')).toContain('start qemu-guest-agent')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  )

  it('carries the root password only as a hash assigned at the top', () => {
    const script = withRootPasswordHash(
      renderInitScript(release('debian', '11'), { timezone: 'UTC' }),
      '$6$salt$hash',
    )
    const lines = script.split('\n')
    expect(lines[0]).toBe('#!/usr/bin/env bash')
    expect(lines[1]).toBe("PVEQ_ROOT_PASSWORD_HASH='$6$salt$hash'")
  })

  it("sets the user's and root's password with chpasswd -e, the hashes on its stdin", () => {
    const script = withPasswordHashes(
      renderInitScript(release('debian', '12'), { timezone: 'UTC' }),
      { user: { name: 'debian', hash: '$6$salt$user' }, root: '$6$salt$root' },
    )
    const lines = script.split('\n')
    expect(lines.slice(1, 4)).toEqual([
      "PVEQ_USER='debian'",
      "PVEQ_USER_PASSWORD_HASH='$6$salt$user'",
      "PVEQ_ROOT_PASSWORD_HASH='$6$salt$root'",
    ])
    expect(script).toContain(
      `printf '%s:%s\\n' "$PVEQ_USER" "$PVEQ_USER_PASSWORD_HASH" | chpasswd -e`,
    )
    expect(script).not.toContain('usermod --password')
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0)
  })

  it('is valid bash', () => {
    const script = renderInitScript(release('ubuntu', '22.04'), { timezone: 'UTC' })
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0)
  })
})
