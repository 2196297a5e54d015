import type { AddressBook, NetworksConfig } from '../../networks/index.js'
import type { Cluster } from '../../pve/cluster.js'
import type { VmLimits } from '../lifecycle/deps.js'
import type { VmLocator } from '../lifecycle/vm-locator.js'
import type { VmLocks } from '../vm-locks.js'
import type { TemplateService } from '../templates/template-service.js'
import type { DryRunSupport } from './dry-run/plan-dry-run.js'
import type { CpuLevel } from './cpu-level.js'
import type { CreationLog } from './creations.js'
import type { ImageTransfer } from './image-transfer.js'
import type { GuestPort, ImagePort } from './ports.js'
import type { ReservationStore } from './reservations.js'
import type { WorkQueue } from './work-queue.js'

export interface InstallDeps {
  cluster: Cluster
  locator: VmLocator
  locks: VmLocks
  limits: VmLimits
  network: { gateway: string; ipStart: number; ipEnd: number }
  /** the networks VMs are installed on (the first is the default), the VMID range of non-seed ones */
  networks: NetworksConfig
  /** who holds which address: an install holds, then assigns on success or releases on rollback */
  addresses: AddressBook
  /** how long a DHCP VM's guest agent is asked for its address (GUEST_SSH_TIMEOUT); default 300 s */
  agentTimeoutMs?: number
  /**
   * GUEST_AGENT_VENDOR_DATA: a snippets volume installing qemu-guest-agent, set as `cicustom:
   * vendor=` on DHCP installs of an OS whose image has no agent; absent refuses those installs
   */
  guestAgentVendorData?: string | undefined
  mainNode: string
  /** ASSIGN_STORAGE */
  storage: string
  reservations: ReservationStore
  /** "create started", written before each `qm create` */
  creations: CreationLog
  images: ImagePort
  guest: GuestPort
  /** the cluster's common CPU level, computed once (and again when the node set changes) */
  clusterCpuLevel: () => Promise<CpuLevel>
  storageQueue: WorkQueue
  /** crypt hash of VM_ROOT_PASSWORD, set by the first-boot script */
  rootPasswordHash: string | undefined
  timezone: string
  /** the port new VMs answer SSH on (GUEST_SSH_PORT), for the login command an install ends with */
  guestSshPort: number
  /** extra public keys every VM gets (admin keys file) */
  adminKeys: readonly string[]
  /** retries of lock timeouts */
  lockRetry: { attempts: number; baseDelayMs: number }
  /** how the image reaches the VM's node; default: the local copy imported by path */
  imageTransfer?: ImageTransfer
  /** cached OS templates to clone (TEMPLATES=auto); absent: every install imports the image */
  templates?: TemplateService
  /** when the install reboots after the first-boot script (INSTALL_REBOOT); default `auto` */
  reboot?: 'auto' | 'always' | 'never'
  /** what a dry-run plan reads besides the cluster: the image cache, earlier stage times */
  dryRun?: DryRunSupport
}
