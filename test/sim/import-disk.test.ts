import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { qcow2Header } from '../../src/sim/index.js'
import type { Simulator } from '../../src/sim/index.js'
import { asRecord, buildSim, get, runTask } from './helpers.js'

let sim: Simulator
let dir: string
let image: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-import-'))
  image = join(dir, 'jammy.img')
  await writeFile(image, qcow2Header(2.2 * 1024 ** 3 - ((2.2 * 1024 ** 3) % 1048576)))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(async () => {
  await sim.close()
})

describe('importDisk (qm disk import)', () => {
  it('prints the import lines and attaches the disk as unused0', async () => {
    sim = await buildSim()
    const lines: [string, string][] = []
    const result = await sim.importDisk({
      node: 'pve2',
      vmid: 101,
      source: image,
      storage: 'local-lvm',
      format: 'qcow2',
      onLine: (line, stream) => lines.push([stream, line]),
    })
    expect(result).toEqual({ key: 'unused0', volid: 'local-lvm:vm-101-disk-1' })
    expect(lines[0]).toEqual(['stdout', `importing disk '${image}' to VM 101 ...`])
    expect(lines[1]).toEqual([
      'stderr',
      "format 'qcow2' is not supported by the target storage - using 'raw' instead",
    ])
    expect(lines[2]).toEqual(['stdout', '  Logical volume "vm-101-disk-1" created.'])
    expect(lines[3]).toEqual(['stdout', 'transferred 0.0 B of 2.2 GiB (0.00%)'])
    expect(lines.at(-1)).toEqual([
      'stdout',
      "unused0: successfully imported disk 'local-lvm:vm-101-disk-1'",
    ])
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config')).unused0).toBe(
      'local-lvm:vm-101-disk-1',
    )
  })

  it('attaches to a target disk with its size', async () => {
    sim = await buildSim({ demoVms: false })
    await runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid: 9000 })
    const lines: string[] = []
    const result = await sim.importDisk({
      node: 'pve1',
      vmid: 9000,
      source: image,
      storage: 'local-lvm',
      targetDisk: 'scsi0',
      onLine: (line) => lines.push(line),
    })
    expect(result.key).toBe('scsi0')
    expect(lines.at(-1)).toBe(
      "scsi0: successfully imported disk 'local-lvm:vm-9000-disk-0,size=2252M'",
    )
  })

  it('rejects a missing file, a storage without images and a VM on another node', async () => {
    sim = await buildSim()
    const onLine = (): void => undefined
    await expect(
      sim.importDisk({
        node: 'pve2',
        vmid: 101,
        source: join(dir, 'none'),
        storage: 'local-lvm',
        onLine,
      }),
    ).rejects.toThrow(`${join(dir, 'none')}: non-existent or non-regular file`)
    await expect(
      sim.importDisk({ node: 'pve2', vmid: 101, source: image, storage: 'local', onLine }),
    ).rejects.toThrow('storage local does not support vm images')
    await expect(
      sim.importDisk({ node: 'pve1', vmid: 101, source: image, storage: 'local-lvm', onLine }),
    ).rejects.toThrow("Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist")
  })
})
