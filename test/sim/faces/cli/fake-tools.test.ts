import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { parseUpid } from '../../../../src/pve/drivers/cli/parse/index.js'
import { qcow2Header } from '../../../../src/sim/index.js'
import { startFakeCliCluster, type FakeCliCluster } from './fake-cli-cluster.js'

let cluster: FakeCliCluster

beforeAll(async () => {
  cluster = await startFakeCliCluster()
})
afterAll(async () => {
  await cluster.close()
})

/** Runs a fake tool on `node` (locally, no SSH) and returns what it printed. */
async function run(node: string, argv: string[], stdin?: string) {
  const result = await cluster.localAs(node).run(argv, stdin === undefined ? {} : { stdin })
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

const key =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKZQPSbEwoDXP42HyE5v4uJ5EC6OpYecPeslMdxQ3KUw admin@host'

describe('qm', () => {
  it('prints status: <state> for a VM on its own node', async () => {
    expect(await run('pve1', ['qm', 'status', '100'])).toEqual({
      exitCode: 0,
      stdout: 'status: running\n',
      stderr: '',
    })
  })

  it('refuses a VM that lives on another node', async () => {
    expect(await run('pve1', ['qm', 'status', '101'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist\n",
    })
  })

  it('lists only the local node and expands an abbreviated subcommand', async () => {
    const { stdout, exitCode } = await run('pve2', ['qm', 'li'])
    expect(exitCode).toBe(0)
    const rows = stdout.trimEnd().split('\n')
    expect(rows[0]).toBe(
      '      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID       ',
    )
    expect(rows.slice(1).map((row) => row.trim().split(/\s+/)[0])).toEqual(['101'])
  })

  it('prints the unknown-command error and the usage list', async () => {
    const result = await run('pve1', ['qm', 'sta', '100'])
    expect(result.exitCode).toBe(255)
    expect(result.stdout).toBe('')
    const lines = result.stderr.split('\n')
    expect(lines.slice(0, 2)).toEqual([
      "ERROR: unknown command 'qm sta'",
      'USAGE: qm <COMMAND> [ARGS] [OPTIONS]',
    ])
    expect(lines).toContain('       qm start <vmid> [OPTIONS]')
  })

  it('keeps a vmid that holds a path one parameter, refused by its type check', async () => {
    expect(await run('pve1', ['qm', 'config', '../../../../cluster/resources'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr:
        "400 Parameter verification failed.\nvmid: type check ('integer') failed - got '../../../../cluster/resources'\nqm config <vmid> [OPTIONS]\n",
    })
  })

  it('prints a format validator message with its blank line before the usage', async () => {
    expect((await run('pve1', ['qm', 'start', '0123'])).stderr).toBe(
      '400 Parameter verification failed.\nvmid: invalid format - value does not look like a valid VM ID\n\nqm start <vmid> [OPTIONS]\n',
    )
  })

  it('prints Unknown option then 400 unable to parse option', async () => {
    expect(await run('pve1', ['qm', 'start', '100', '--bogus', '1'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: 'Unknown option: bogus\n400 unable to parse option\nqm start <vmid> [OPTIONS]\n',
    })
  })

  it('checks the positional argument count', async () => {
    expect((await run('pve1', ['qm', 'migrate', '100'])).stderr).toBe(
      '400 not enough arguments\nqm migrate <vmid> <target> [OPTIONS]\n',
    )
    expect((await run('pve1', ['qm', 'status', '100', '101'])).stderr).toBe(
      '400 too many arguments\nqm status <vmid> [OPTIONS]\n',
    )
  })

  it('prints a 400 Parameter verification failed block with the usage line', async () => {
    const result = await run('pve1', ['qm', 'set', '100', '--cores', 'lots'])
    expect(result).toEqual({
      exitCode: 255,
      stdout: '',
      stderr:
        "400 Parameter verification failed.\ncores: type check ('integer') failed - got 'lots'\nqm set <vmid> [OPTIONS]\n",
    })
  })

  it('refuses --sshkeys /dev/stdin when fd 0 is a socket, as Perl does (ENXIO)', async () => {
    // Node's spawn (the local executor) gives the tool a Unix socket on fd 0 (pve.md §10.1)
    for (const path of ['/dev/stdin', '/proc/self/fd/0']) {
      const result = await run(
        'pve3',
        ['qm', 'create', '131', '--name', 'web01', '--sshkeys', path],
        `${key}\n`,
      )
      expect(result).toEqual({
        exitCode: 255,
        stdout: '',
        stderr: `can't open '${path}' - No such device or address\n`,
      })
    }
    expect((await run('pve3', ['qm', 'status', '131'])).stderr).toBe(
      "Configuration file 'nodes/pve3/qemu-server/131.conf' does not exist\n",
    )
  })

  it('creates a VM reading ssh keys from /dev/stdin when it is a pipe, task output on stdout', async () => {
    // `cat |` makes fd 0 a pipe, as sshd does for a command run over SSH
    const result = await run(
      'pve3',
      [
        'sh',
        '-c',
        'cat | "$@"',
        'sh',
        'qm',
        'create',
        '130',
        '--name',
        'web01',
        '--scsi0',
        'local-lvm:4',
        '--sshkeys',
        '/dev/stdin',
        '--memory=1024',
      ],
      `${key}\n`,
    )
    expect(result).toEqual({
      exitCode: 0,
      stdout: `  Logical volume "vm-130-disk-0" created.\nscsi0: successfully created disk 'local-lvm:vm-130-disk-0,size=4G'\n`,
      stderr: '',
    })
    const config = (await run('pve3', ['qm', 'config', '130'])).stdout
    expect(config).toContain(
      `sshkeys: ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIKZQPSbEwoDXP42HyE5v4uJ5EC6OpYecPeslMdxQ3KUw%20admin%40host%0A\n`,
    )
    expect(config).toContain('memory: 1024\n')
    const keys = config
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.slice(0, line.indexOf(':')))
    expect(keys).toEqual([...keys].sort())
  })

  it('reads a terminal on fd 0 until end-of-file, as Perl opening /dev/stdin does', async () => {
    // script(1) runs qm on a pseudo-terminal; what we write is what a user would type, then ^D
    const result = await run(
      'pve3',
      ['script', '-qec', 'qm set 130 --sshkeys /dev/stdin', '/dev/null'],
      `${key.replace('admin@host', 'typed@tty')}\n\u0004`,
    )
    expect(result.exitCode).toBe(0)
    expect((await run('pve3', ['qm', 'config', '130'])).stdout).toContain('%20typed%40tty%0A\n')
  })

  it('reads an ssh key file by path and says so when it is missing', async () => {
    const file = join(cluster.dir, 'keys.pub')
    writeFileSync(file, `${key}\n`)
    const set = await run('pve3', ['qm', 'set', '130', '--sshkey', file])
    expect(set.exitCode).toBe(0)
    expect(set.stdout).toMatch(/^update VM 130: -sshkeys ssh-ed25519%20AAAA/)
    const missing = await run('pve3', ['qm', 'set', '130', '--sshkeys', '/nonexistent/keys.pub'])
    expect(missing).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: "can't open '/nonexistent/keys.pub' - No such file or directory\n",
    })
  })

  it('shows a password as <hidden> in the update line and stars in the config', async () => {
    const result = await run('pve3', [
      'qm',
      'set',
      '130',
      '--cipassword',
      'hunter2',
      '--ciuser',
      'admin',
    ])
    expect(result.stdout).toBe('update VM 130: -cipassword <hidden> -ciuser admin\n')
    expect((await run('pve3', ['qm', 'config', '130'])).stdout).toContain(
      'cipassword: **********\n',
    )
  })

  it('dies before the task for an existing VMID', async () => {
    expect(await run('pve3', ['qm', 'create', '101'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: "unable to create VM 101 - VM 101 already exists on node 'pve2'\n",
    })
  })

  it('prints a failed task error on stderr only and exits 255', async () => {
    const result = await run('pve1', ['qm', 'start', '100'])
    expect(result).toEqual({ exitCode: 255, stdout: '', stderr: 'VM 100 already running\n' })
  })

  it('exits 0 from a failed disk resize task, with the error on stderr', async () => {
    expect(await run('pve3', ['qm', 'disk', 'resize', '130', 'scsi0', '1G'])).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: 'shrinking disks is not supported\n',
    })
    const grown = await run('pve3', ['qm', 'resize', '130', 'scsi0', '+1G'])
    expect(grown.exitCode).toBe(0)
    expect(grown.stdout).toContain('successfully resized')
  })

  it('imports a disk image with progress lines and the 8.3+ final line', async () => {
    const image = join(cluster.dir, 'noble.qcow2')
    writeFileSync(image, qcow2Header(2 * 1024 ** 3))
    const result = await run('pve3', ['qm', 'importdisk', '130', image, 'local-lvm'])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(`importing disk '${image}' to VM 130 ...`)
    expect(lines).toContain('transferred 0.0 B of 2.0 GiB (0.00%)')
    expect(lines.at(-1)).toBe("unused0: successfully imported disk 'local-lvm:vm-130-disk-1'")
  })

  it('refuses a missing image as qm does', async () => {
    expect(
      await run('pve3', ['qm', 'disk', 'import', '130', '/nonexistent.img', 'local-lvm']),
    ).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: '/nonexistent.img: non-existent or non-regular file\n',
    })
  })

  it('destroys a stopped VM and then no longer finds it', async () => {
    const destroyed = await run('pve3', [
      'qm',
      'destroy',
      '130',
      '--purge',
      '--destroy-unreferenced-disks',
      '1',
    ])
    expect(destroyed.exitCode).toBe(0)
    expect((await run('pve3', ['qm', 'status', '130'])).stderr).toBe(
      "Configuration file 'nodes/pve3/qemu-server/130.conf' does not exist\n",
    )
  })
})

describe('pvesh', () => {
  it('prints one sorted-key JSON line for --output-format json', async () => {
    const result = await run('pve1', [
      'pvesh',
      'get',
      '/nodes/pve1/qemu/100/status/current',
      '--output-format',
      'json',
    ])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.endsWith('}\n')).toBe(true)
    expect(result.stdout.split('\n')).toHaveLength(2)
    const data = JSON.parse(result.stdout) as Record<string, unknown>
    expect(Object.keys(data)).toEqual(Object.keys(data).sort())
    expect(data).toMatchObject({ vmid: 100, status: 'running' })
  })

  it('reads any node from the main node, accepts a path without / and -opt options', async () => {
    const result = await run('pve1', [
      'pvesh',
      'get',
      'nodes/pve2/qemu/101/config',
      '-output-format',
      'json-pretty',
    ])
    expect(result.stdout).toMatch(/^\{\n {3}"agent" : "1",\n/)
    expect(result.stdout).toContain('\n   "name" : "demo-ubuntu",\n')
  })

  it('prints a scalar bare in text mode, and JSON-quoted in json mode', async () => {
    expect((await run('pve1', ['pvesh', 'get', '/cluster/nextid', '--vmid', '555'])).stdout).toBe(
      '555\n',
    )
    expect(
      (
        await run('pve1', [
          'pvesh',
          'get',
          '/cluster/nextid',
          '--vmid',
          '555',
          '--output-format',
          'json',
        ])
      ).stdout,
    ).toBe('"555"\n')
  })

  it('prints the nextid 400 block with its usage line', async () => {
    expect(await run('pve1', ['pvesh', 'get', '/cluster/nextid', '--vmid', '100'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr:
        '400 Parameter verification failed.\nvmid: VM 100 already exists\npvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]\n',
    })
  })

  it('prints the handler line and nothing else for a set', async () => {
    expect(
      await run('pve1', [
        'pvesh',
        'set',
        '/nodes/pve1/qemu/100/config',
        '--description',
        'hello',
        '--output-format',
        'json',
      ]),
    ).toEqual({
      exitCode: 0,
      stdout: 'update VM 100: -description hello\n',
      stderr: '',
    })
  })

  it('runs a task in the foreground, then prints the quoted UPID, and exits 0 even when it failed', async () => {
    const result = await run('pve1', [
      'pvesh',
      'create',
      '/nodes/pve1/qemu/100/status/start',
      '--output-format',
      'json',
    ])
    expect(result.exitCode).toBe(0)
    expect(result.stderr).toBe('VM 100 already running\n')
    const last = result.stdout.trimEnd().split('\n').at(-1) ?? ''
    expect(last).toMatch(/^"UPID:pve1:.*:qmstart:100:root@pam:"$/)
    expect(parseUpid(last)?.type).toBe('qmstart')
  })

  it('says when a path has no handler, exit 1', async () => {
    expect(await run('pve1', ['pvesh', 'get', '/nodes/pve1/foo'])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: "No 'get' handler defined for '/nodes/pve1/foo'\n",
    })
  })
})

describe('pvesm', () => {
  it('prints the local storages with the 9.1 header', async () => {
    const result = await run('pve1', ['pvesm', 'status'])
    expect(result.exitCode).toBe(0)
    const [header, ...rows] = result.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^Name +Type +Status +Total \(KiB\) +Used \(KiB\) Available \(KiB\) +%$/)
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
      ['local', 'dir', 'active'],
      ['local-lvm', 'lvmthin', 'active'],
    ])
  })

  it('lists the volumes of a storage', async () => {
    const result = await run('pve1', ['pvesm', 'list', 'local-lvm'])
    const [header, ...rows] = result.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^Volid +Format +Type +Size VMID$/)
    expect(rows.map((row) => row.split(/\s+/)[0])).toContain('local-lvm:vm-100-disk-0')
  })
})

describe('qm and Proxmox refusals the simulator models (pve.md §10)', () => {
  it('refuses memory below the balloon with a plain die, before the update line', async () => {
    expect((await run('pve1', ['qm', 'set', '100', '--balloon', '2048'])).exitCode).toBe(0)
    expect(await run('pve1', ['qm', 'set', '100', '--memory', '1024'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: 'balloon value too large (must be smaller than assigned memory)\n',
    })
    // lowering both in one call is what Proxmox accepts; balloon 0 disables the device
    const both = await run('pve1', ['qm', 'set', '100', '--memory', '1024', '--balloon', '1024'])
    expect(both.exitCode).toBe(0)
    expect((await run('pve1', ['qm', 'set', '100', '--balloon', '0'])).exitCode).toBe(0)
    expect(
      await run('pve1', ['qm', 'create', '140', '--memory', '512', '--balloon', '1024']),
    ).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: 'balloon value too large (must be smaller than assigned memory)\n',
    })
  })

  it('puts cores and memory of a running VM into pending until a cold start', async () => {
    const set = await run('pve1', ['qm', 'set', '100', '--cores', '4', '--memory', '4096'])
    expect(set).toEqual({
      exitCode: 0,
      stdout: 'update VM 100: -cores 4 -memory 4096\n',
      stderr: '',
    })
    expect((await run('pve1', ['qm', 'config', '100'])).stdout).toContain('cores: 4\n')
    const current = (await run('pve1', ['qm', 'config', '100', '--current'])).stdout
    expect(current).toContain('cores: 2\n')
    expect(current).toMatch(/^memory: (1024|2048)$/m)
    const pending = (await run('pve1', ['qm', 'pending', '100'])).stdout.split('\n')
    expect(pending).toContain('cur cores: 2')
    expect(pending).toContain('new cores: 4')
    expect(pending).toContain('new memory: 4096')
    const resources = async () => {
      const out = await run('pve1', [
        'pvesh',
        'get',
        '/cluster/resources',
        '--output-format',
        'json',
      ])
      const list = JSON.parse(out.stdout) as { vmid?: number; maxcpu?: number; maxmem?: number }[]
      return list.find((entry) => entry.vmid === 100)
    }
    expect((await resources())?.maxcpu).toBe(2)
    // qm reboot is a cold start: pending applies; nothing is left in `qm pending` as new
    expect((await run('pve1', ['qm', 'reboot', '100'])).exitCode).toBe(0)
    expect((await run('pve1', ['qm', 'config', '100', '--current'])).stdout).toContain('cores: 4\n')
    expect((await run('pve1', ['qm', 'pending', '100'])).stdout).not.toMatch(/^new /m)
    expect((await run('pve1', ['qm', 'status', '100', '--verbose'])).stdout).toContain(
      `maxmem: ${4096 * 1024 * 1024}\n`,
    )
  })

  it('applies memory and vcpus live with hotplug cpu,memory and numa, refuses memory without numa', async () => {
    expect(
      (
        await run('pve2', [
          'qm',
          'set',
          '101',
          '--hotplug',
          'network,disk,usb,cpu,memory',
          '--numa',
          '1',
          '--cores',
          '4',
          '--vcpus',
          '2',
        ])
      ).exitCode,
    ).toBe(0)
    expect((await run('pve2', ['qm', 'start', '101'])).exitCode).toBe(0)
    expect(
      (await run('pve2', ['qm', 'set', '101', '--memory', '3072', '--vcpus', '3'])).exitCode,
    ).toBe(0)
    const current = (await run('pve2', ['qm', 'config', '101', '--current'])).stdout
    expect(current).toContain('memory: 3072\n')
    expect(current).toContain('vcpus: 3\n')
    expect((await run('pve2', ['qm', 'pending', '101'])).stdout).not.toMatch(/^new /m)
    // cores never hot-plugs, even with the cpu feature
    await run('pve2', ['qm', 'set', '101', '--cores', '6'])
    expect((await run('pve2', ['qm', 'pending', '101'])).stdout).toContain('new cores: 6\n')
    // without numa a memory hot-plug fails: 400, and the value stays pending
    await run('pve2', ['qm', 'stop', '101'])
    await run('pve2', ['qm', 'set', '101', '--numa', '0'])
    await run('pve2', ['qm', 'start', '101'])
    const refused = await run('pve2', ['qm', 'set', '101', '--memory', '4096'])
    expect(refused.exitCode).toBe(255)
    expect(refused.stderr).toContain(
      'memory: hotplug problem - NUMA needs to be enabled for memory hotplug',
    )
    expect((await run('pve2', ['qm', 'pending', '101'])).stdout).toContain('new memory: 4096\n')
  })
})
