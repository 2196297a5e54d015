/**
 * The port-level contract every driver keeps, written once: a driver under test gets the same
 * calls and must give the same answers and the same error kinds. The driver-level checks are
 * the conformance run's (src/conformance/driver-checks.ts, which `npm run conformance` runs
 * against a real cluster); around them, checks that need the simulator's snapshot (demo VMs
 * 100 on pve1 running, 101 on pve2 stopped, 102 on pve3; volumes; a config lock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { driverChecks, type ConformanceContext } from '../../../../src/conformance/driver-checks.js'
import { ownershipStamp } from '../../../../src/provision/own-vm.js'
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
  /**
   * False for a token without Datastore.Audit (the README's role): /cluster/resources then lists
   * no storage at all, as Proxmox does (pve-manager API2/Cluster.pm `resources`).
   */
  seesStorages?: boolean
}

/** A public key for the suites' VMs (the conformance run's scratch key). */
export { scratchKey as contractKey } from '../../../../src/conformance/driver-checks.js'

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
  const { node, otherNode, vmidBase, seesStorages = true } = options
  const vmid = vmidBase
  let target: ContractTarget
  let cluster: Cluster
  let ctx: ConformanceContext

  describe(label, () => {
    beforeAll(async () => {
      target = await start()
      cluster = target.cluster
      ctx = {
        cluster,
        node,
        otherNode,
        vmid,
        storage: 'local-lvm',
        stamp: ownershipStamp(`contract-${vmid}`),
        guestOs: true,
        vmNode: node,
      }
    })
    afterAll(async () => {
      await target.close()
    })

    it('reads the demo cluster: VMs with their nodes, online nodes, storages per node', async () => {
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
      ).toEqual(seesStorages ? ['pve1', 'pve2', 'pve3'] : [])
      const storages = await cluster.nodeStorages(node)
      expect(storages.find((s) => s.storage === 'local-lvm')?.type).toBe('lvmthin')
    })

    for (const check of driverChecks) {
      it(check.name, async () => {
        expect(check.skip?.(ctx)).toBeUndefined()
        await check.run(ctx)
      })
    }

    it('leaves no volume of the destroyed VM behind', () => {
      const volumes = target.sim.snapshot().storages.flatMap((s) => s.volumes)
      expect(volumes.filter((volume) => volume.vmid === vmid)).toEqual([])
    })

    it("lists a node's bridges (nodeBridges), as the simulator was told", async () => {
      expect(await cluster.nodeBridges(node)).toEqual([
        { iface: 'vmbr0', type: 'bridge', vlanAware: true, active: true },
        { iface: 'vmbr1', type: 'bridge', vlanAware: false, active: true },
      ])
      const before = target.sim.network.bridges(otherNode)
      target.sim.network.setBridges(otherNode, [
        { iface: 'vmbr0' },
        { iface: 'vmbr5', type: 'OVSBridge' },
        { iface: 'vmbr6', vlanAware: true, active: false },
      ])
      try {
        expect(await cluster.nodeBridges(otherNode)).toEqual([
          { iface: 'vmbr0', type: 'bridge', vlanAware: false, active: true },
          { iface: 'vmbr5', type: 'OVSBridge', vlanAware: true, active: true },
          { iface: 'vmbr6', type: 'bridge', vlanAware: true, active: false },
        ])
      } finally {
        target.sim.network.setBridges(otherNode, before)
      }
      // an unknown node: `no such cluster node` in-process, pveproxy's 595 over HTTPS
      await expect(cluster.nodeBridges('pve9')).rejects.toBeInstanceOf(PveError)
    })

    it("reads a guest's interfaces through its agent (guestInterfaces), refusals as kinds", async () => {
      const id = vmid + 3
      await cluster.createVm(node, id, {
        name: 'agent-vm',
        agent: '1',
        net0: 'virtio=BC:24:11:AA:00:03,bridge=vmbr0',
        ipconfig0: 'ip=dhcp,ip6=auto',
      })
      await expectPveError(cluster.guestInterfaces(node, id), 'vm_not_running')
      const release = target.sim.network.holdAgent(id)
      await cluster.startVm(node, id)
      const early = await expectPveError(cluster.guestInterfaces(node, id), 'agent_unavailable')
      expect(early.message).toBe('QEMU guest agent is not running')
      expect(early.code).toBe('PVE_AGENT_UNAVAILABLE')
      release()
      const nics = await cluster.guestInterfaces(node, id)
      expect(nics.map((nic) => nic.name)).toEqual(['lo', 'eth0'])
      const eth0 = nics[1]
      expect(eth0?.mac).toBe('bc:24:11:aa:00:03')
      const lease = target.sim.network.leases().find((l) => l.vmid === id)?.address
      expect(lease).toMatch(/^127\.0\.2\.\d+$/)
      expect(eth0?.addresses).toEqual([
        { address: lease, family: 'ipv4', prefix: 24 },
        { address: '2001:db8::be24:11ff:feaa:3', family: 'ipv6', prefix: 64 },
        { address: 'fe80::be24:11ff:feaa:3', family: 'ipv6', prefix: 64 },
      ])
      target.sim.network.agentTimeout(id)
      const late = await expectPveError(cluster.guestInterfaces(node, id), 'agent_unavailable')
      expect(late.message).toBe(
        `VM ${id} qga command 'guest-network-get-interfaces' failed - got timeout`,
      )
      await cluster.stopVm(node, id)
      await cluster.updateVm(node, id, { agent: null })
      await cluster.startVm(node, id)
      const none = await expectPveError(cluster.guestInterfaces(node, id), 'agent_unavailable')
      expect(none.message).toBe('No QEMU guest agent configured')
      await cluster.stopVm(node, id)
      await cluster.destroyVm(node, id)
    })

    it('refuses a locked VM', async () => {
      const locked = vmid + 2
      await cluster.createVm(node, locked, { name: 'locked-vm', lock: 'backup' })
      await expectPveError(cluster.startVm(node, locked), 'vm_locked')
    })
  })
}
