/**
 * The pve port: the few Proxmox operations provisioning needs, in our own domain types.
 * Drivers (api over the REST API or the embedded simulator, cli over qm/pvesh/pvesm)
 * implement it; nothing above this file knows which one runs.
 *
 * Sizes are bytes, memory is bytes, CPU load is a fraction (0..1), as Proxmox reports them.
 * Every failure is a `PveError` (./errors.ts) whose `kind` tells the caller what went wrong
 * and whose message is the tool's own wording.
 */

/** A VM's power state as `/cluster/resources` and `qm status` report it (QMP status). */
export type VmPowerState = 'running' | 'stopped' | 'paused' | 'prelaunch' | 'suspended' | 'unknown'

/** One VM as the cluster-wide resource list shows it. Optional fields are absent until
 * pvestatd's next cycle has seen the VM (up to 10 s after it was created). */
export interface VmSummary {
  vmid: number
  node: string
  status: VmPowerState
  name?: string
  /** vCPUs */
  maxcpu?: number
  /** CPU load, fraction of maxcpu */
  cpu?: number
  /** bytes */
  maxmem?: number
  /** bytes in use (running VMs) */
  mem?: number
  /** boot disk size, bytes */
  maxdisk?: number
  uptime?: number
  /** `;`-separated in Proxmox; split here */
  tags?: string[]
  lock?: string
  template?: boolean
}

export type NodeState = 'online' | 'offline' | 'unknown'

export interface NodeSummary {
  node: string
  status: NodeState
  /** CPU load fraction */
  cpu?: number
  maxcpu?: number
  mem?: number
  maxmem?: number
  disk?: number
  maxdisk?: number
  uptime?: number
}

/** One storage on one node, as `/cluster/resources --type storage` lists it. */
export interface StorageSummary {
  storage: string
  node: string
  /** plugin type: dir, lvmthin, zfspool, rbd, nfs, ... */
  type: string
  status: 'available' | 'unknown'
  shared: boolean
  content: string[]
  /** bytes used */
  disk: number
  /** bytes total */
  maxdisk: number
}

export interface ClusterResources {
  vms: VmSummary[]
  nodes: NodeSummary[]
  storages: StorageSummary[]
}

/** The parts of `/nodes/{node}/status` provisioning uses. */
export interface NodeStatus {
  node: string
  cpuModel: string
  /** space-separated in Proxmox; split here */
  cpuFlags: string[]
  cpus: number
  memoryTotal: number
  memoryUsed: number
  uptime: number
  pveVersion: string
}

/** A storage as its node sees it (`pvesm status`, `GET /nodes/{n}/storage`). */
export interface NodeStorage {
  storage: string
  type: string
  content: string[]
  active: boolean
  enabled: boolean
  shared: boolean
  /** bytes */
  total: number
  used: number
  avail: number
}

/** `/nodes/{node}/qemu/{vmid}/status/current`, the fields we use. */
export interface VmStatus {
  vmid: number
  node: string
  status: 'running' | 'stopped'
  qmpstatus: VmPowerState
  name: string
  cpus: number
  maxmem: number
  mem: number
  maxdisk: number
  uptime: number
  lock?: string
}

/** A VM configuration: Proxmox's own keys and string values (`cores`, `scsi0`, `ipconfig0`,
 * ...). Values are kept as the text Proxmox stores, whatever JSON type it returned them as;
 * `digest` is left out. */
export type VmConfig = Record<string, string>

/** One key of `GET /nodes/{node}/qemu/{vmid}/pending` (`qm pending`): the value in effect, the
 * value waiting for the next cold start, or a deletion waiting for it. Values are Proxmox's text. */
export interface PendingEntry {
  key: string
  /** the value in effect now (absent when the key is not set) */
  value?: string
  /** the value that applies at the next start (`qm start` after a stop, or `qm reboot`) */
  pending?: string
  /** the key is removed at the next start */
  delete?: boolean
}

/** Called with each line a Proxmox task prints (import percentages, migration log), as it comes. */
export type TaskLineListener = (line: string) => void

export interface OperationOptions {
  signal?: AbortSignal
  onLine?: TaskLineListener
}

/** Changes to a VM's configuration: a value sets the key, `null` deletes it. Values are in
 * Proxmox's syntax (e.g. `{ cores: '4', scsi0: 'local-lvm:0,import-from=/var/lib/x.qcow2' }`).
 * `sshkeys` is given as plain OpenSSH lines; the driver encodes it as its tool needs. */
export type VmConfigChanges = Record<string, string | null>

export interface MigrateOptions extends OperationOptions {
  /** migrate a running VM live (`--online`) */
  online: boolean
  /** copy local disks along (`--with-local-disks`) */
  withLocalDisks: boolean
}

/** The Proxmox operations the service uses. Every node-bound call names the node the VM is on. */
export interface Cluster {
  /** What this driver drives, for the start-up log: e.g. `simulated cluster (3 nodes)`. */
  readonly description: string

  /** Cluster-wide VMs, nodes and storages (one read). */
  resources(options?: OperationOptions): Promise<ClusterResources>
  nodeStatus(node: string, options?: OperationOptions): Promise<NodeStatus>
  nodeStorages(node: string, options?: OperationOptions): Promise<NodeStorage[]>

  vmStatus(node: string, vmid: number, options?: OperationOptions): Promise<VmStatus>
  vmConfig(node: string, vmid: number, options?: OperationOptions): Promise<VmConfig>
  /** Every config key with its current and pending value (pve.md §2.3): what a change to a
   * running VM left waiting for the next cold start. */
  vmPending(node: string, vmid: number, options?: OperationOptions): Promise<PendingEntry[]>

  /** Creates a VM with its whole configuration in one call (disks may use `import-from`). */
  createVm(
    node: string,
    vmid: number,
    config: VmConfigChanges,
    options?: OperationOptions,
  ): Promise<void>
  updateVm(
    node: string,
    vmid: number,
    changes: VmConfigChanges,
    options?: OperationOptions,
  ): Promise<void>
  /** `size` in Proxmox syntax: `+10G` grows by 10 GiB, `32G` sets the size. */
  resizeDisk(
    node: string,
    vmid: number,
    disk: string,
    size: string,
    options?: OperationOptions,
  ): Promise<void>

  startVm(node: string, vmid: number, options?: OperationOptions): Promise<void>
  /** Hard stop (`qm stop`). Never skips a config lock: a VM locked by a backup, migration or
   * snapshot is refused (`VM is locked (backup)`), not killed with the task holding it. */
  stopVm(node: string, vmid: number, options?: OperationOptions): Promise<void>
  /** ACPI (or agent) shutdown; waits for it to complete. */
  shutdownVm(node: string, vmid: number, options?: OperationOptions): Promise<void>
  rebootVm(node: string, vmid: number, options?: OperationOptions): Promise<void>
  /** Deletes the VM and all its disks (`--purge`); the VM must be stopped. */
  destroyVm(node: string, vmid: number, options?: OperationOptions): Promise<void>
  migrateVm(node: string, vmid: number, target: string, options: MigrateOptions): Promise<void>

  /**
   * Set when the driver does not run as `root@pam` itself (an API token, even root's): such a
   * caller may not import disks from filesystem paths nor set root-only options (`args`),
   * and gets images onto a node's storage through Proxmox's `download-url` instead.
   */
  readonly restricted?: RestrictedAccess
}

/** What a non-root caller uses in place of filesystem paths. */
export interface RestrictedAccess {
  /** who the calls run as, e.g. `pve-qemu@pve!service` */
  readonly user: string
  /**
   * `POST /nodes/{node}/storage/{storage}/download-url`, followed to its end; the node fetches
   * the URL itself and checks the checksum. Returns the volume id (`local:import/x.qcow2`).
   */
  downloadToStorage(
    node: string,
    download: StorageDownload,
    options?: OperationOptions,
  ): Promise<string>
}

/** One file for a node to download into one of its storages (pve.md §5.2). */
export interface StorageDownload {
  storage: string
  url: string
  /** the file name on the storage; `import` needs `.qcow2`, `.raw`, `.vmdk` or `.ova` */
  filename: string
  content: 'import' | 'iso'
  /** what the node verifies the file against */
  checksum?: {
    algorithm: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'
    digest: string
  }
}

/** How a VM is cloned (pve.md §2.9, §5.3). */
export interface CloneOptions extends OperationOptions {
  /** false: a linked clone (a template's base volumes on a storage that clones); true: a copy */
  full: boolean
  /** the new VM's name; Proxmox's default is `Copy-of-VM-<name>` */
  name?: string
  /** the node the new VM goes to; only with shared storage (default: the source's node) */
  target?: string
  /** the new VM's description (where the service stamps what it made) */
  description?: string
}

/** Templates and clones (declared apart so the port above stays as it was; merged by TypeScript). */
export interface Cluster {
  /** `qm clone <vmid> <newid> --full 0|1` / `POST …/clone`, followed to its end. */
  cloneVm(node: string, vmid: number, newid: number, options: CloneOptions): Promise<void>
  /** `qm template <vmid>` / `POST …/template`: disks become `base-*` volumes, `template: 1`. */
  templateVm(node: string, vmid: number, options?: OperationOptions): Promise<void>
}

/** A bridge of one node: `GET /nodes/{node}/network?type=any_bridge` (pve-manager PVE/API2/Network.pm). */
export interface NodeBridge {
  /** e.g. `vmbr0` */
  iface: string
  type: 'bridge' | 'OVSBridge'
  /** `bridge_vlan_aware: 1` on a Linux bridge; OVS bridges always carry VLAN tags */
  vlanAware: boolean
  active: boolean
}

/** One address of a guest interface, as the agent reports it. */
export interface GuestAddress {
  address: string
  family: 'ipv4' | 'ipv6'
  prefix: number
}

/** One interface as the QEMU guest agent reports it (`network-get-interfaces`, pve.md §2.11). */
export interface GuestInterface {
  /** e.g. `eth0`, `lo` */
  name: string
  /** "hardware-address", lower case */
  mac?: string
  addresses: GuestAddress[]
}

/** Networks (declared apart so the port above stays as it was; merged by TypeScript). */
export interface Cluster {
  /** The node's Linux and OVS bridges (`type=any_bridge`). */
  nodeBridges(node: string, options?: OperationOptions): Promise<NodeBridge[]>
  /** The guest agent's `network-get-interfaces`. Throws PveError: 'vm_not_running' (VM
   * stopped), and 'agent_unavailable' for `No QEMU guest agent configured`, `QEMU guest agent
   * is not running` and qga timeouts, so a caller waiting for a boot can retry on it. */
  guestInterfaces(node: string, vmid: number, options?: OperationOptions): Promise<GuestInterface[]>
}
