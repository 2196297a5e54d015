import { randomUUID } from 'node:crypto'
import { randomMac } from '../vm-config/net.js'
import { nodeSoftware } from './nodes.js'
import type { ClusterState, SimVm } from './types.js'

const GiB = 1024 ** 3
/** A fixed SHA-256 crypt hash for the demo VMs' cipassword (hashing 5000 rounds per start is slow). */
const demoPasswordHash = '$5$pvesimdemo$bleoTeK/iP0ekuW8uLwzHq.vO6xKW0jiEExgqFpv1yA'
const MiB = 1024 ** 2

const demos = [
  {
    vmid: 100,
    name: 'demo-debian',
    user: 'debian',
    tag: 'debian',
    running: true,
    cpu: 'x86-64-v2-AES',
  },
  {
    vmid: 101,
    name: 'demo-ubuntu',
    user: 'ubuntu',
    tag: 'ubuntu',
    running: false,
    cpu: 'x86-64-v2-AES',
  },
  {
    vmid: 102,
    name: 'demo-rocky',
    user: 'rocky',
    tag: 'rockylinux',
    running: true,
    cpu: 'x86-64-v3',
  },
] as const

/**
 * Seeds three demo VMs on a fresh cluster, one per node (wrapping when there are fewer nodes):
 * cloud-init drive, a 20 GiB boot disk on local-lvm, and a static IP on the gateway's network
 * (`127.0.0.<vmid>` with the default gateway), as an install would give it, so two services on
 * different gateways can share one host.
 */
export function seedDemoVms(state: ClusterState, now: number, gateway = '127.0.0.1'): void {
  const network = gateway.split('.').slice(0, 3).join('.')
  demos.forEach((demo, index) => {
    const node = state.nodes[index % state.nodes.length]
    if (!node) return
    const ctime = Math.floor(now / 1000) - 86_400 * (7 - index)
    const disk = `local-lvm:vm-${demo.vmid}-disk-0`
    const cloudinit = `local-lvm:vm-${demo.vmid}-cloudinit`
    state.volumes.push(
      {
        volid: disk,
        node: node.name,
        storage: 'local-lvm',
        content: 'images',
        format: 'raw',
        size: 20 * GiB,
        used: Math.round((1.8 + index * 0.3) * GiB),
        vmid: demo.vmid,
        ctime,
      },
      {
        volid: cloudinit,
        node: node.name,
        storage: 'local-lvm',
        content: 'images',
        format: 'raw',
        size: 4 * MiB,
        used: 4 * MiB,
        vmid: demo.vmid,
        ctime,
      },
    )
    const vm: SimVm = {
      vmid: demo.vmid,
      node: node.name,
      config: {
        agent: '1',
        boot: 'order=scsi0',
        cipassword: demoPasswordHash,
        ciupgrade: '0',
        ciuser: demo.user,
        cores: '2',
        cpu: demo.cpu,
        ide2: `${cloudinit},media=cdrom`,
        ipconfig0: `ip=${network}.${demo.vmid}/24,gw=${gateway}`,
        memory: '2048',
        meta: `creation-qemu=${nodeSoftware.qemuVersion},ctime=${ctime}`,
        name: demo.name,
        net0: `virtio=${randomMac()},bridge=vmbr0`,
        ostype: 'l26',
        scsi0: `${disk},discard=on,iothread=1,size=20G,ssd=1`,
        scsihw: 'virtio-scsi-single',
        serial0: 'socket',
        smbios1: `uuid=${randomUUID()}`,
        tags: demo.tag,
        vga: 'serial0',
        vmgenid: randomUUID(),
      },
      pending: {},
      pendingDelete: [],
      power: demo.running ? 'running' : 'stopped',
      ...(demo.running
        ? { startedAt: now - (3_600_000 + index * 600_000), pid: 2100 + demo.vmid * 7 }
        : {}),
    }
    state.vms.set(demo.vmid, vm)
  })
}
