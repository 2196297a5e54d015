/**
 * The port-level contract every driver keeps, written once: a driver under test gets the same
 * calls and must give the same answers and the same error kinds. Runs against a simulated
 * cluster (demo VMs 100 on pve1 running, 101 on pve2 stopped, 102 on pve3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Cluster } from '../../../../src/pve/cluster.js'
import { PveError, type PveErrorKind } from '../../../../src/pve/errors.js'
import type { Simulator } from '../../../../src/sim/index.js'

export interface ContractTarget {
  cluster: Cluster
  sim: Simulator
  close(): Promise<void>
}

export interface ContractOptions {
  /** The node the suite's VMs live on. */
  node: string
  /** Another node, the migration target. */
  otherNode: string
  /** VMIDs from here up are the suite's own. */
  vmidBase: number
}

export const contractKey =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKZQPSbEwoDXP42HyE5v4uJ5EC6OpYecPeslMdxQ3KUw admin@contract'

/** Expects `promise` to fail with a PveError of `kind`; returns it for more checks. */
export async function expectPveError(
  promise: Promise<unknown>,
  kind: PveErrorKind,
): Promise<PveError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PveError)
  const pveError = error as PveError
  expect({ kind: pveError.kind, message: pveError.message }).toMatchObject({ kind })
  return pveError
}

/** Declares the contract suite for one driver, started fresh by `start`. */
export function describeClusterContract(
  label: string,
  start: () => Promise<ContractTarget>,
  options: ContractOptions,
): void {
  const { node, otherNode, vmidBase } = options
  const vmid = vmidBase
  let target: ContractTarget
  let cluster: Cluster

  describe(label, () => {
    beforeAll(async () => {
      target = await start()
      cluster = target.cluster
    })
    afterAll(async () => {
      await target.close()
    })

    it('reads the cluster: VMs with their nodes, online nodes, storages per node', async () => {
      const resources = await cluster.resources()
      expect(resources.vms.map((vm) => [vm.vmid, vm.node])).toEqual(
        expect.arrayContaining([
          [100, 'pve1'],
          [101, 'pve2'],
        ]),
      )
      expect(resources.nodes.map((n) => [n.node, n.status]).sort()).toEqual([
        ['pve1', 'online'],
        ['pve2', 'online'],
        ['pve3', 'online'],
      ])
      expect(
        resources.storages
          .filter((s) => s.storage === 'local-lvm')
          .map((s) => s.node)
          .sort(),
      ).toEqual(['pve1', 'pve2', 'pve3'])
    })

    it('reads node status and storages', async () => {
      const status = await cluster.nodeStatus(node)
      expect(status.node).toBe(node)
      expect(status.cpus).toBeGreaterThan(0)
      expect(status.pveVersion).toMatch(/^pve-manager\/\d+\.\d+/)
      const storages = await cluster.nodeStorages(node)
      expect(storages.find((s) => s.storage === 'local-lvm')).toMatchObject({
        type: 'lvmthin',
        active: true,
        enabled: true,
      })
    })

    it('creates a VM with its whole config in one call', async () => {
      await cluster.createVm(node, vmid, {
        name: 'contract-vm',
        memory: '1024',
        cores: '2',
        scsi0: 'local-lvm:4',
        ide2: 'local-lvm:cloudinit',
        ciuser: 'admin',
        cipassword: 'correct horse',
        sshkeys: `${contractKey}\n`,
        ipconfig0: 'ip=127.0.0.50/24,gw=127.0.0.1',
        tags: 'contract',
      })
      const config = await cluster.vmConfig(node, vmid)
      expect(config).toMatchObject({
        name: 'contract-vm',
        memory: '1024',
        cores: '2',
        ciuser: 'admin',
        cipassword: '**********',
        ipconfig0: 'ip=127.0.0.50/24,gw=127.0.0.1',
      })
      expect(decodeURIComponent(config.sshkeys ?? '')).toBe(`${contractKey}\n`)
      expect(config.scsi0).toMatch(/^local-lvm:vm-\d+-disk-0,size=4G$/)
      expect(config).not.toHaveProperty('digest')
      const status = await cluster.vmStatus(node, vmid)
      expect(status).toMatchObject({ vmid, node, status: 'stopped', name: 'contract-vm' })
    })

    it('updates and deletes config keys', async () => {
      await cluster.updateVm(node, vmid, { cores: '4', tags: null })
      const config = await cluster.vmConfig(node, vmid)
      expect(config.cores).toBe('4')
      expect(config).not.toHaveProperty('tags')
    })

    it('grows a disk', async () => {
      await cluster.resizeDisk(node, vmid, 'scsi0', '+1G')
      expect((await cluster.vmConfig(node, vmid)).scsi0).toMatch(/size=5G/)
    })

    it('starts, reboots, shuts down and stops a VM, streaming task lines', async () => {
      const lines: string[] = []
      await cluster.startVm(node, vmid, { onLine: (line) => lines.push(line) })
      expect(lines).toContain('generating cloud-init ISO')
      expect((await cluster.vmStatus(node, vmid)).status).toBe('running')
      await cluster.rebootVm(node, vmid)
      expect((await cluster.vmStatus(node, vmid)).status).toBe('running')
      await cluster.shutdownVm(node, vmid)
      expect((await cluster.vmStatus(node, vmid)).status).toBe('stopped')
      await cluster.startVm(node, vmid)
      await cluster.stopVm(node, vmid)
      expect((await cluster.vmStatus(node, vmid)).status).toBe('stopped')
    })

    it('names each failure by its kind, with the tool message', async () => {
      await expectPveError(cluster.vmStatus(node, 999), 'vm_not_found')
      await expectPveError(cluster.vmConfig(node, vmid + 90), 'vm_not_found')
      await expectPveError(cluster.createVm(node, vmid, { name: 'again' }), 'vm_exists')
      await expectPveError(cluster.rebootVm(node, vmid), 'vm_not_running')
      await expectPveError(cluster.resizeDisk(node, vmid, 'scsi0', '1G'), 'shrink_refused')
      const invalid = await expectPveError(
        cluster.updateVm(node, vmid, { cores: 'lots' }),
        'invalid_parameter',
      )
      expect(invalid.parameters).toEqual({ cores: "type check ('integer') failed - got 'lots'" })
      await expectPveError(cluster.createVm(node, vmid + 1, { scsi0: 'nosuch:4' }), 'storage')
      await expectPveError(
        cluster.migrateVm(node, vmid, 'pve9', { online: false, withLocalDisks: true }),
        'node',
      )
      await expectPveError(
        cluster.migrateVm(node, vmid, node, { online: false, withLocalDisks: true }),
        'node',
      )
      await cluster.startVm(node, vmid)
      await expectPveError(cluster.startVm(node, vmid), 'vm_running')
      await expectPveError(cluster.destroyVm(node, vmid), 'vm_running')
      await expectPveError(
        cluster.migrateVm(node, vmid, otherNode, { online: false, withLocalDisks: true }),
        'vm_running',
      )
      await cluster.stopVm(node, vmid)
    })

    it('refuses a locked VM', async () => {
      const locked = vmid + 2
      await cluster.createVm(node, locked, { name: 'locked-vm', lock: 'backup' })
      await expectPveError(cluster.startVm(node, locked), 'vm_locked')
    })

    it('migrates a VM with its local disks, streaming the migration log', async () => {
      const lines: string[] = []
      await cluster.migrateVm(node, vmid, otherNode, {
        online: false,
        withLocalDisks: true,
        onLine: (line) => lines.push(line),
      })
      expect(
        lines.some((line) =>
          line.includes(`starting migration of VM ${vmid} to node '${otherNode}'`),
        ),
      ).toBe(true)
      expect(lines.at(-1)).toMatch(/migration finished successfully/)
      expect((await cluster.vmStatus(otherNode, vmid)).node).toBe(otherNode)
      await expectPveError(cluster.vmStatus(node, vmid), 'vm_not_found')
    })

    it('destroys a VM and its disks', async () => {
      await cluster.destroyVm(otherNode, vmid)
      await expectPveError(cluster.vmStatus(otherNode, vmid), 'vm_not_found')
      const volumes = target.sim.snapshot().storages.flatMap((s) => s.volumes)
      expect(volumes.filter((volume) => volume.vmid === vmid)).toEqual([])
    })
  })
}
