import type { Cluster } from '../pve/cluster.js'
import { expectEqual, expectRefusal, expectThat } from './expectations.js'

/** What the checks work on. Only the scratch VM is ever changed. */
export interface ConformanceContext {
  cluster: Cluster
  /** where the scratch VM is created (`MAIN_NODE`) */
  node: string
  /** a second online node for the migration check; undefined skips it */
  otherNode: string | undefined
  /** the scratch VM's id, free when the run began */
  vmid: number
  /** `ASSIGN_STORAGE`: the scratch VM's disks go there */
  storage: string
  /** the description line that proves the scratch VM is this run's */
  stamp: string
  /** the scratch VM has an OS that honours ACPI (the simulator's); a real one has none */
  guestOs: boolean
  /** where the scratch VM lives now (it moves with the migration check) */
  vmNode: string
}

/** One check of the driver against the cluster. */
export interface ConformanceCheck {
  name: string
  /** why the check cannot run here, if it cannot */
  skip?: (ctx: ConformanceContext) => string | undefined
  /** throws a ConformanceFailure (or Proxmox's error) when the cluster disagrees; may return a note */
  run(ctx: ConformanceContext): Promise<string | undefined>
}

/** A public key nobody holds the private half of: the scratch VM's cloud-init key. */
export const scratchKey =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKZQPSbEwoDXP42HyE5v4uJ5EC6OpYecPeslMdxQ3KUw conformance@pve-qemu'

/** `/nodes/<n>/qemu/<id>/...` answers the service relies on, read-only outside the scratch VM. */
const readChecks: ConformanceCheck[] = [
  {
    // storages are left to the next check: /cluster/resources lists them only to Datastore.Audit,
    // which the service's role does not hold (pve-manager API2/Cluster.pm `resources`)
    name: 'reads the cluster: the main node online, its VMs listed',
    async run({ cluster, node }) {
      const resources = await cluster.resources()
      const main = resources.nodes.find((entry) => entry.node === node)
      expectEqual(main?.status, 'online', `node ${node} in /cluster/resources`)
      expectThat(
        resources.vms.every((vm) => Number.isInteger(vm.vmid) && vm.node !== ''),
        'a VM in /cluster/resources lacks its vmid or node',
      )
      return `${resources.nodes.length} nodes, ${resources.vms.length} VMs`
    },
  },
  {
    name: 'reads node status and storages',
    async run({ cluster, node, storage }) {
      const status = await cluster.nodeStatus(node)
      expectEqual(status.node, node, 'node status')
      expectThat(status.cpus > 0, `node ${node} reports ${status.cpus} CPUs`)
      expectThat(
        /^pve-manager\/\d+\.\d+/.test(status.pveVersion),
        `unexpected pveversion ${JSON.stringify(status.pveVersion)}`,
      )
      const entry = (await cluster.nodeStorages(node)).find((s) => s.storage === storage)
      expectThat(entry !== undefined, `storage ${storage} is not on ${node}`)
      expectEqual(
        { active: entry?.active, enabled: entry?.enabled },
        { active: true, enabled: true },
        `storage ${storage} on ${node}`,
      )
      expectThat(
        entry?.content.includes('images') === true,
        `storage ${storage} cannot hold VM disks`,
      )
      return status.pveVersion
    },
  },
  {
    name: "lists the main node's bridges",
    async run({ cluster, node }) {
      const bridges = await cluster.nodeBridges(node)
      expectThat(
        bridges.length > 0,
        `node ${node} lists no bridge (a token sees bridges only with SDN.Audit)`,
      )
      for (const bridge of bridges) {
        expectThat(
          /^[\w.-]+$/.test(bridge.iface),
          `unexpected bridge name ${JSON.stringify(bridge.iface)}`,
        )
      }
      return bridges
        .map((bridge) => `${bridge.iface}${bridge.vlanAware ? ' (VLAN-aware)' : ''}`)
        .join(', ')
    },
  },
  {
    name: 'names a VM that does not exist vm_not_found',
    async run({ cluster, node, vmid }) {
      return (await expectRefusal(cluster.vmStatus(node, vmid), 'vm_not_found', 'status')).message
    },
  },
  {
    name: 'refuses an unknown storage before creating anything',
    async run({ cluster, node, vmid }) {
      const refusal = await expectRefusal(
        cluster.createVm(node, vmid, { scsi0: 'pve-qemu-no-such-storage:1' }),
        'storage',
        'create on an unknown storage',
      )
      await expectRefusal(cluster.vmConfig(node, vmid), 'vm_not_found', 'after the refusal')
      return refusal.message
    },
  },
]

const scratchVmChecks: ConformanceCheck[] = [
  {
    name: 'creates a VM with its whole config in one call',
    async run(ctx) {
      const { cluster, node, vmid, storage } = ctx
      await cluster.createVm(node, vmid, {
        name: 'pve-qemu-conformance',
        description: ctx.stamp,
        memory: '256',
        cores: '1',
        scsihw: 'virtio-scsi-pci',
        scsi0: `${storage}:1`,
        scsi1: `${storage}:cloudinit`,
        ciuser: 'conformance',
        cipassword: 'not-a-secret-conformance',
        sshkeys: `${scratchKey}\n`,
        ipconfig0: 'ip=192.0.2.50/24,gw=192.0.2.1',
        tags: 'pve-qemu-conformance',
      })
      const config = await cluster.vmConfig(node, vmid)
      expectEqual(
        {
          name: config.name,
          memory: config.memory,
          cores: config.cores,
          ciuser: config.ciuser,
          cipassword: config.cipassword,
          ipconfig0: config.ipconfig0,
          description: config.description?.trim(),
        },
        {
          name: 'pve-qemu-conformance',
          memory: '256',
          cores: '1',
          ciuser: 'conformance',
          cipassword: '**********',
          ipconfig0: 'ip=192.0.2.50/24,gw=192.0.2.1',
          description: ctx.stamp,
        },
        'the config read back',
      )
      expectEqual(decodeURIComponent(config.sshkeys ?? ''), `${scratchKey}\n`, 'sshkeys')
      expectThat(
        (config.scsi0 ?? '').startsWith(`${storage}:`) &&
          /(^|,)size=1G(,|$)/.test(config.scsi0 ?? ''),
        `scsi0 should be a 1G volume on ${storage}, got ${JSON.stringify(config.scsi0)}`,
      )
      expectThat(!('digest' in config), 'the config still holds digest')
      const status = await cluster.vmStatus(node, vmid)
      expectEqual([status.status, status.node], ['stopped', node], 'status after create')
      return undefined
    },
  },
  {
    name: 'updates and deletes config keys',
    async run({ cluster, vmNode, vmid }) {
      await cluster.updateVm(vmNode, vmid, { cores: '2', tags: null })
      const config = await cluster.vmConfig(vmNode, vmid)
      expectEqual(config.cores, '2', 'cores after the update')
      expectThat(!('tags' in config), 'tags still set after deleting them')
      return undefined
    },
  },
  {
    name: 'refuses a guest agent query of a VM without an agent',
    async run({ cluster, vmNode, vmid }) {
      const refusal = await expectRefusal(
        cluster.guestInterfaces(vmNode, vmid),
        'agent_unavailable',
        'network-get-interfaces of a VM without agent',
      )
      return refusal.message
    },
  },
  {
    name: 'grows a disk and refuses to shrink it',
    async run({ cluster, vmNode, vmid }) {
      await cluster.resizeDisk(vmNode, vmid, 'scsi0', '+1G')
      const scsi0 = (await cluster.vmConfig(vmNode, vmid)).scsi0 ?? ''
      expectThat(/(^|,)size=2G(,|$)/.test(scsi0), `scsi0 after +1G: ${scsi0}`)
      return (
        await expectRefusal(
          cluster.resizeDisk(vmNode, vmid, 'scsi0', '1G'),
          'shrink_refused',
          'shrink',
        )
      ).message
    },
  },
  {
    name: 'refuses a bad parameter, naming it, and a second create of one VMID',
    async run({ cluster, vmNode, vmid, node }) {
      const invalid = await expectRefusal(
        cluster.updateVm(vmNode, vmid, { cores: 'lots' }),
        'invalid_parameter',
        'cores=lots',
      )
      expectEqual(
        invalid.parameters,
        { cores: "type check ('integer') failed - got 'lots'" },
        'the parameter errors',
      )
      const exists = await expectRefusal(
        cluster.createVm(node, vmid, { name: 'again' }),
        'vm_exists',
        'a second create',
      )
      return exists.message
    },
  },
  {
    name: 'starts and stops a VM, streaming task lines, and refuses what a running VM may not do',
    async run({ cluster, vmNode, vmid, otherNode }) {
      await expectRefusal(cluster.rebootVm(vmNode, vmid), 'vm_not_running', 'reboot while stopped')
      const lines: string[] = []
      await cluster.startVm(vmNode, vmid, { onLine: (line) => lines.push(line) })
      expectThat(
        lines.includes('generating cloud-init ISO'),
        `the start task did not print "generating cloud-init ISO" (it printed ${JSON.stringify(lines)})`,
      )
      expectEqual((await cluster.vmStatus(vmNode, vmid)).status, 'running', 'status after start')
      await expectRefusal(cluster.startVm(vmNode, vmid), 'vm_running', 'start while running')
      const destroy = await expectRefusal(
        cluster.destroyVm(vmNode, vmid),
        'vm_running',
        'destroy while running',
      )
      await expectRefusal(
        cluster.migrateVm(vmNode, vmid, vmNode, { online: false, withLocalDisks: true }),
        'node',
        'migrate to its own node',
      )
      if (otherNode !== undefined) {
        await expectRefusal(
          cluster.migrateVm(vmNode, vmid, otherNode, { online: false, withLocalDisks: true }),
          'vm_running',
          'an offline migration while running',
        )
      }
      await expectRefusal(
        cluster.migrateVm(vmNode, vmid, 'pve-qemu-no-such-node', {
          online: false,
          withLocalDisks: true,
        }),
        'node',
        'migrate to an unknown node',
      )
      await cluster.stopVm(vmNode, vmid)
      expectEqual((await cluster.vmStatus(vmNode, vmid)).status, 'stopped', 'status after stop')
      return destroy.message
    },
  },
  {
    name: 'reboots and shuts down a running VM',
    skip: ({ guestOs }) =>
      guestOs ? undefined : 'needs a guest OS that honours ACPI; the scratch VM has none',
    async run({ cluster, vmNode, vmid }) {
      await cluster.startVm(vmNode, vmid)
      await cluster.rebootVm(vmNode, vmid)
      expectEqual((await cluster.vmStatus(vmNode, vmid)).status, 'running', 'after reboot')
      await cluster.shutdownVm(vmNode, vmid)
      expectEqual((await cluster.vmStatus(vmNode, vmid)).status, 'stopped', 'after shutdown')
      return undefined
    },
  },
  {
    name: 'migrates a stopped VM with its local disks, streaming the migration log',
    skip: ({ otherNode }) => (otherNode === undefined ? 'needs a second online node' : undefined),
    async run(ctx) {
      const { cluster, vmid } = ctx
      const target = ctx.otherNode ?? ''
      const lines: string[] = []
      await cluster.migrateVm(ctx.vmNode, vmid, target, {
        online: false,
        withLocalDisks: true,
        onLine: (line) => lines.push(line),
      })
      const from = ctx.vmNode
      ctx.vmNode = target
      expectThat(
        lines.some((line) => line.includes(`starting migration of VM ${vmid} to node '${target}'`)),
        'the migration log lacks its "starting migration" line',
      )
      expectThat(
        (lines.at(-1) ?? '').includes('migration finished successfully'),
        `the migration log ends with ${JSON.stringify(lines.at(-1))}`,
      )
      expectEqual((await cluster.vmStatus(target, vmid)).node, target, 'node after migration')
      return (await expectRefusal(cluster.vmStatus(from, vmid), 'vm_not_found', 'the old node'))
        .message
    },
  },
  {
    name: 'destroys a VM and its disks',
    async run({ cluster, vmNode, vmid, stamp }) {
      // the check destroys only what it proves to be its own
      const config = await cluster.vmConfig(vmNode, vmid)
      expectEqual(config.description?.trim(), stamp, `VM ${vmid}'s stamp before destroying it`)
      await cluster.destroyVm(vmNode, vmid)
      return (await expectRefusal(cluster.vmStatus(vmNode, vmid), 'vm_not_found', 'after destroy'))
        .message
    },
  },
]

/**
 * The checks every driver must pass against any cluster, in order. They read the cluster and
 * change only one scratch VM, which the create check makes (stamped) and the last one destroys.
 */
export const driverChecks: readonly ConformanceCheck[] = [...readChecks, ...scratchVmChecks]

/** The checks from the create on need the scratch VM. */
export const firstScratchCheck = scratchVmChecks[0]?.name ?? ''
