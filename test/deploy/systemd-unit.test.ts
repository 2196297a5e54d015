import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url))
const unitFile = join(deployDir, 'pve-qemu.service')
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0
const work = mkdtempSync(join(tmpdir(), 'pve-qemu-unit-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** `key=value` lines of the unit (comments dropped), in order. */
function settings(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('['))
    .map((line) => {
      const at = line.indexOf('=')
      return [line.slice(0, at), line.slice(at + 1)]
    })
}

describe('deploy/pve-qemu.service', () => {
  const unit = readFileSync(unitFile, 'utf8')
  const values = new Map(settings(unit))

  it('runs the compiled service under its own user, hardened, with its state in DATA_DIR', () => {
    expect(values.get('ExecStart')).toMatch(/^\/usr\/bin\/node (--\S+ )*\S+\/dist\/main\.js$/)
    expect(values.get('User')).toBe('pve-qemu')
    expect(values.get('StateDirectory')).toBe('pve-qemu')
    expect(unit).toContain('Environment=DATA_DIR=/var/lib/pve-qemu')
    expect(values.get('ReadWritePaths')).toBe('/var/lib/pve-qemu')
    expect(values.get('NoNewPrivileges')).toBe('yes')
    expect(values.get('ProtectSystem')).toBe('strict')
    expect(values.get('Restart')).toBe('on-failure')
  })

  it('gives Node the same flags as `npm start`, so the bench measures what the unit runs', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { scripts: Record<string, string> }
    const flags = (command: string): string[] =>
      command.split(' ').filter((word) => word.startsWith('--'))
    const start = manifest.scripts.start ?? ''
    expect(start).toMatch(/^node (--\S+ )*dist\/main\.js$/)
    expect(flags(values.get('ExecStart') ?? '')).toEqual(flags(start))
    expect(flags(start)).toContain('--max-semi-space-size=2')
  })

  it('has a drop-in for the cli driver that runs as root (qm needs it)', () => {
    const dropIn = new Map(
      settings(readFileSync(join(deployDir, 'pve-qemu.service.d', 'cli-driver.conf'), 'utf8')),
    )
    expect(dropIn.get('User')).toBe('root')
    expect(dropIn.get('ReadWritePaths')).toContain('/etc/pve')
  })

  it.skipIf(!hasAnalyze)(
    'passes systemd-analyze verify, with the cli drop-in, without a warning (skipped where systemd-analyze is not installed)',
    () => {
      // verify checks that ExecStart's program exists: on a machine whose Node is elsewhere,
      // the copy names that Node instead (nothing else changes)
      const copy = existsSync('/usr/bin/node')
        ? unit
        : unit.replace('/usr/bin/node', process.execPath)
      writeFileSync(join(work, 'pve-qemu.service'), copy)
      cpSync(join(deployDir, 'pve-qemu.service.d'), join(work, 'pve-qemu.service.d'), {
        recursive: true,
      })
      const result = spawnSync('systemd-analyze', ['verify', join(work, 'pve-qemu.service')], {
        encoding: 'utf8',
      })
      // systemd warns about unknown or misspelt keys on stderr and still exits 0
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
    },
  )
})
