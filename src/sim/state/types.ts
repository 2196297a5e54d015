/** The simulated cluster's state: what pmxcfs, the storages and the QEMU processes would hold. */
import type { SimBridge } from '../network/bridges.js'

export interface NodeCpu {
  model: string
  sockets: number
  cores: number
  cpus: number
  /** as /proc/cpuinfo prints it, a string */
  mhz: string
  flags: string[]
}

export interface SimStorage {
  id: string
  /** `nfs` only as the opt-in shared storage (simulator option `sharedStorage`) */
  type: 'dir' | 'lvmthin' | 'nfs'
  content: string[]
  /** one volume set for every node (storage.cfg `shared`): NFS here, never `local`/`local-lvm` */
  shared: boolean
  enabled: boolean
  /** bytes */
  total: number
  /** bytes used by things that are not volumes we track (OS files, thin metadata) */
  baseUsed: number
  /** file storages: the mount path, e.g. `/var/lib/vz` (NFS: `/mnt/pve/<id>`) */
  path?: string
}

export interface SimNode {
  name: string
  ip: string
  online: boolean
  /** epoch ms of the node's last boot */
  bootTime: number
  cpu: NodeCpu
  /** bytes */
  memoryTotal: number
  /** bytes the host itself uses */
  memoryBase: number
  rootfsTotal: number
  rootfsUsed: number
  storages: SimStorage[]
  /** the bridges of `/etc/network/interfaces` (vmbr0, vmbr1 unless the options say otherwise) */
  bridges: SimBridge[]
}

export interface SimVolume {
  /** `local-lvm:vm-100-disk-0`, `local:100/vm-100-disk-0.qcow2`, `local:import/x.qcow2` */
  volid: string
  node: string
  storage: string
  /** content type: images, iso, import, vztmpl, backup, snippets */
  content: string
  /** raw, qcow2, iso, ... */
  format: string
  /** virtual size, bytes */
  size: number
  /** bytes actually allocated on the storage (thin pools and qcow2 grow as data is written) */
  used: number
  vmid?: number
  /** a linked clone: the base volume (`base-<id>-disk-<n>`) it is backed by */
  base?: string
  /**
   * Whether the OS on this disk has qemu-guest-agent installed: `false` for an image known to
   * ship without it (Debian genericcloud, Ubuntu cloud images), `true` for one that ships it
   * (Rocky GenericCloud) or once a first-boot script installed it, undefined when the simulator
   * does not know what is on the disk (a blank disk, an image it does not recognise). Undefined
   * lets the agent answer once the OS has booted: a deliberate simplification, so bare test VMs
   * keep an agent. It travels with the disk (template, clones, migration, sim-state.json).
   */
  qemuGuestAgent?: boolean
  /** a snippet (content `snippets`): the file's text, what cloud-init would read */
  text?: string
  /** epoch seconds */
  ctime: number
}

export type PowerState = 'running' | 'stopped'

export interface SimVm {
  vmid: number
  node: string
  /** the config file's keys and values, as text */
  config: Record<string, string>
  /** `[PENDING]` values, applied at the next start */
  pending: Record<string, string>
  /** keys to delete at the next start */
  pendingDelete: string[]
  power: PowerState
  /** epoch ms of the last start, while running */
  startedAt?: number
  pid?: number
}

export interface ClusterState {
  nodes: SimNode[]
  volumes: SimVolume[]
  vms: Map<number, SimVm>
}
