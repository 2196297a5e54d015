import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { ExecError } from '../../../../src/exec/index.js'
import { createCliDriver } from '../../../../src/pve/drivers/cli/index.js'
import { PveError } from '../../../../src/pve/errors.js'
import { readFixture } from '../../../fixtures/pve/fixture.js'
import { createScriptedExecutors, type ScriptedCall } from './scripted-executor.js'

function setup(answer?: Parameters<typeof createScriptedExecutors>[0], keyFileDir?: string) {
  const scripted = createScriptedExecutors(answer)
  const logged: { details: Record<string, unknown>; message: string }[] = []
  const driver = createCliDriver({
    mainNode: 'pve1',
    executorFor: scripted.executorFor,
    log: { debug: (details, message) => logged.push({ details: { ...details }, message }) },
    ...(keyFileDir === undefined ? {} : { keyFileDir }),
  })
  return { driver, calls: scripted.calls, logged }
}

const failWith =
  (stderr: string, exitCode = 255) =>
  () => ({ exitCode, stderr })

describe('cli driver reads', () => {
  it('reads cluster resources with pvesh on the main node', async () => {
    const { driver, calls } = setup(() => ({ stdout: readFixture('pvesh-cluster-resources.txt') }))
    const resources = await driver.resources()
    expect(resources.vms[0]).toMatchObject({ vmid: 100, status: 'running' })
    expect(calls).toEqual([
      { node: 'pve1', argv: ['pvesh', 'get', '/cluster/resources', '--output-format', 'json'] },
    ])
  })

  it('reads a VM on another node from the main node, by its API path', async () => {
    const { driver, calls } = setup(() => ({ stdout: readFixture('pvesh-qemu-config.txt') }))
    const config = await driver.vmConfig('pve2', 555)
    expect(config.memory).toBe('1024')
    expect(calls[0]).toEqual({
      node: 'pve1',
      argv: ['pvesh', 'get', '/nodes/pve2/qemu/555/config', '--output-format', 'json'],
    })
  })

  it('refuses a node name that would change the API path, before running anything', async () => {
    const { driver, calls } = setup()
    const error: unknown = await driver.vmStatus('pve2/../../cluster', 100).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PveError)
    expect((error as PveError).kind).toBe('invalid_parameter')
    expect(calls).toEqual([])
  })

  it('turns a missing VM into vm_not_found with the tool message', async () => {
    const { driver } = setup(
      failWith("Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist\n"),
    )
    await expect(driver.vmStatus('pve1', 999)).rejects.toMatchObject({
      kind: 'vm_not_found',
      message: "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist",
    })
  })
})

describe('cli driver changes', () => {
  it('creates a VM on another node, ssh keys in a private file written there over SSH', async () => {
    const remoteDir = '/tmp/pve-qemu-sshkeys.Ab3dEf9hIj'
    const { driver, calls } = setup((call) =>
      call.argv[0] === 'sh' ? { stdout: `${remoteDir}\n` } : {},
    )
    const keys = 'ssh-ed25519 AAAA one@host\nssh-rsa BBBB two@host\n'
    await driver.createVm('pve2', 101, {
      name: 'web01',
      cores: '2',
      sshkeys: keys,
      scsi0: 'local-lvm:0,import-from=/var/lib/vz/template/cache/noble.qcow2',
    })
    expect(calls).toHaveLength(3)
    // 1: a fixed script makes a 0700 directory under umask 077 and writes stdin into it
    expect(calls[0]).toMatchObject({ node: 'pve2', stdin: keys })
    expect(calls[0]?.argv.slice(0, 2)).toEqual(['sh', '-c'])
    expect(calls[0]?.argv[2]).toMatch(/^umask 077 && dir=\$\(mktemp -d /)
    expect(calls[0]?.argv[2]).not.toContain('ssh-')
    // 2: qm reads the file; nothing on its stdin, no key on its command line
    expect(calls[1]).toEqual({
      node: 'pve2',
      argv: [
        'qm',
        'create',
        '101',
        '--name',
        'web01',
        '--cores',
        '2',
        '--scsi0',
        'local-lvm:0,import-from=/var/lib/vz/template/cache/noble.qcow2',
        '--sshkeys',
        `${remoteDir}/sshkeys`,
      ],
    })
    // 3: and the directory goes again
    expect(calls[2]).toEqual({ node: 'pve2', argv: ['rm', '-rf', '--', remoteDir] })
  })

  it('removes the remote key directory when qm fails', async () => {
    const remoteDir = '/tmp/pve-qemu-sshkeys.Zz9'
    const { driver, calls } = setup((call) => {
      if (call.argv[0] === 'sh') return { stdout: `${remoteDir}\n` }
      if (call.argv[0] === 'qm')
        return { exitCode: 255, stderr: 'SSH public key validation error\n' }
      return {}
    })
    await expect(driver.updateVm('pve3', 101, { sshkeys: 'not a key\n' })).rejects.toMatchObject({
      message: 'SSH public key validation error',
    })
    expect(calls.at(-1)).toEqual({ node: 'pve3', argv: ['rm', '-rf', '--', remoteDir] })
  })

  it('creates a VM on the main node with the keys in a local 0600 file, gone afterwards', async () => {
    const base = mkdtempSync(join(tmpdir(), 'pve-keyfile-test-'))
    try {
      const seen: { path: string; mode: number; dirMode: number; content: string }[] = []
      const { driver, calls } = setup((call) => {
        const path = call.argv[call.argv.indexOf('--sshkeys') + 1] ?? ''
        seen.push({
          path,
          mode: statSync(path).mode & 0o777,
          dirMode: statSync(dirname(path)).mode & 0o777,
          content: readFileSync(path, 'utf8'),
        })
        return {}
      }, base)
      const keys = 'ssh-ed25519 AAAA one@host\n'
      await driver.createVm('pve1', 102, { name: 'local-vm', sshkeys: keys })
      expect(calls).toHaveLength(1)
      expect(calls[0]?.stdin).toBeUndefined()
      expect(seen.map(({ mode, dirMode, content }) => ({ mode, dirMode, content }))).toEqual([
        { mode: 0o600, dirMode: 0o700, content: keys },
      ])
      expect(seen[0]?.path).toMatch(new RegExp(`^${base}/pve-qemu-sshkeys-[^/]+/sshkeys$`))
      expect(readdirSync(base)).toEqual([])
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  })

  it('refuses a null value on create', async () => {
    const { driver, calls } = setup()
    await expect(driver.createVm('pve1', 101, { name: null })).rejects.toMatchObject({
      kind: 'invalid_parameter',
    })
    expect(calls).toEqual([])
  })

  it('refuses a config key that would read as something else', async () => {
    const { driver, calls } = setup()
    for (const key of ['name=x', '-name', 'delete', 'na me', '']) {
      await expect(driver.updateVm('pve1', 101, { [key]: 'x' })).rejects.toMatchObject({
        kind: 'invalid_parameter',
      })
    }
    expect(calls).toEqual([])
  })

  it('sets and deletes keys with one qm set', async () => {
    const { driver, calls } = setup()
    await driver.updateVm('pve1', 101, { memory: '4096', tags: null, cicustom: null })
    expect(calls[0]?.argv).toEqual([
      'qm',
      'set',
      '101',
      '--memory',
      '4096',
      '--delete',
      'tags,cicustom',
    ])
  })

  it('passes a value that starts with - or holds shell syntax as one argument', async () => {
    const { driver, calls } = setup()
    const name = '-x\'; $(reboot) `id` "a b"'
    await driver.updateVm('pve1', 101, { name })
    expect(calls[0]?.argv).toEqual(['qm', 'set', '101', '--name', name])
  })

  it('hands every stdout line of a migration to onLine as it comes', async () => {
    const log = readFixture('qm-migrate-online.txt')
    const { driver, calls } = setup(() => ({ stdout: log }))
    const lines: string[] = []
    await driver.migrateVm('pve1', 105, 'pve2', {
      online: true,
      withLocalDisks: true,
      onLine: (line) => lines.push(line),
    })
    expect(calls[0]).toEqual({
      node: 'pve1',
      argv: ['qm', 'migrate', '105', 'pve2', '--online', '--with-local-disks'],
    })
    expect(lines).toEqual(log.trimEnd().split('\n'))
  })

  it('runs power commands on the VM node with the documented options, never --skiplock', async () => {
    const { driver, calls } = setup()
    await driver.startVm('pve3', 101)
    await driver.stopVm('pve3', 101)
    await driver.shutdownVm('pve3', 101)
    await driver.rebootVm('pve3', 101)
    await driver.destroyVm('pve3', 101)
    expect(calls.map((call: ScriptedCall) => [call.node, ...call.argv])).toEqual([
      ['pve3', 'qm', 'start', '101'],
      ['pve3', 'qm', 'stop', '101'],
      ['pve3', 'qm', 'shutdown', '101'],
      ['pve3', 'qm', 'reboot', '101'],
      ['pve3', 'qm', 'destroy', '101', '--purge', '1', '--destroy-unreferenced-disks', '1'],
    ])
  })

  it('treats a failed resize task as failure although qm exited 0', async () => {
    const { driver } = setup(failWith('shrinking disks is not supported\n', 0))
    await expect(driver.resizeDisk('pve1', 101, 'scsi0', '1G')).rejects.toMatchObject({
      kind: 'shrink_refused',
    })
  })

  it('accepts a resize that only printed lock-wait noise', async () => {
    const { driver, calls } = setup(() => ({
      stdout: 'Image resized.\n',
      stderr: 'trying to acquire lock...\n',
    }))
    await driver.resizeDisk('pve1', 101, 'scsi0', '+10G')
    expect(calls[0]?.argv).toEqual(['qm', 'disk', 'resize', '101', 'scsi0', '+10G'])
  })

  it.each([
    ['scsi0', '-5G'],
    ['--skiplock', '+1G'],
  ])('refuses resize arguments that qm would read as options (%s %s)', async (disk, size) => {
    const { driver, calls } = setup()
    await expect(driver.resizeDisk('pve1', 101, disk, size)).rejects.toMatchObject({
      kind: 'invalid_parameter',
    })
    expect(calls).toEqual([])
  })

  it('keeps the per-parameter errors of a 400 block', async () => {
    const { driver } = setup(
      failWith(
        "400 Parameter verification failed.\nmemory: type check ('integer') failed - got 'lots'\nqm set <vmid> [OPTIONS]\n",
      ),
    )
    await expect(driver.updateVm('pve1', 101, { memory: 'lots' })).rejects.toMatchObject({
      kind: 'invalid_parameter',
      parameters: { memory: "type check ('integer') failed - got 'lots'" },
    })
  })

  it('reports a node it cannot reach as unreachable, not as a qm failure', async () => {
    const { driver } = setup(
      () =>
        new ExecError(
          'EXEC_SSH_FAILED',
          'ssh root@10.0.0.2:22',
          'ssh root@10.0.0.2:22: cannot connect: ECONNREFUSED',
        ),
    )
    await expect(driver.startVm('pve2', 101)).rejects.toMatchObject({
      kind: 'unreachable',
      message: expect.stringContaining('ECONNREFUSED') as unknown,
    })
  })

  it('rethrows the caller reason when cancelled', async () => {
    const controller = new AbortController()
    const reason = new Error('job cancelled')
    controller.abort(reason)
    const { driver } = setup(() => new ExecError('EXEC_ABORTED', 'qm', 'qm was cancelled'))
    await expect(driver.startVm('pve1', 101, { signal: controller.signal })).rejects.toBe(reason)
  })
})

describe('cli driver accounting', () => {
  it('counts commands per tool and subcommand', async () => {
    const { driver } = setup(({ argv }) => (argv[0] === 'pvesh' ? { stdout: '[]\n' } : {}))
    await driver.resources()
    await driver.resources()
    await driver.startVm('pve1', 101)
    await driver.resizeDisk('pve1', 101, 'scsi0', '+1G')
    expect(driver.commandCounts()).toEqual({ 'pvesh get': 2, 'qm start': 1, 'qm disk resize': 1 })
  })

  it('logs each command with its duration and exit code, never the password', async () => {
    const { driver, logged } = setup()
    await driver.updateVm('pve1', 101, { ciuser: 'admin', cipassword: 'hunter2-secret' })
    expect(logged).toEqual([
      {
        message: 'pve command',
        details: {
          node: 'pve1',
          argv: ['qm', 'set', '101', '--ciuser', 'admin', '--cipassword', '<redacted>'],
          exitCode: 0,
          durationMs: 1,
        },
      },
    ])
    expect(JSON.stringify(logged)).not.toContain('hunter2')
  })
})
