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
  const { node, otherNode, vmidBase } = options
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
      ).toEqual(['pve1', 'pve2', 'pve3'])
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

    it('refuses a locked VM', async () => {
      const locked = vmid + 2
      await cluster.createVm(node, locked, { name: 'locked-vm', lock: 'backup' })
      await expectPveError(cluster.startVm(node, locked), 'vm_locked')
    })
  })
}
