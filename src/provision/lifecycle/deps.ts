import type { AddressBook, NetworksConfig } from '../../networks/index.js'
import type { Cluster } from '../../pve/cluster.js'
import type { ReportStep } from '../progress.js'
import type { VmLocks } from '../vm-locks.js'
import type { PendingTracker } from './pending-tracker.js'
import type { LocatedVm, VmLocator } from './vm-locator.js'

/** The limits of the seed's configuration that lifecycle operations enforce. */
export interface VmLimits {
  /** VM_MAX_CPU (1..32) */
  maxCpu: number
  /** VM_MAX_RAM in MB; undefined = no limit */
  maxRamMb: number | undefined
  /** VM_MAX_DISK in GB; undefined = no limit */
  maxDiskGb: number | undefined
  /** VM_BALLOON_MIN in MB; undefined = leave ballooning as Proxmox defaults */
  balloonMinMb: number | undefined
}

export interface LifecycleDeps {
  cluster: Cluster
  locator: VmLocator
  locks: VmLocks
  limits: VmLimits
  /** Values this service left pending on running VMs, for the list (one per app). */
  pending: PendingTracker
  /** the networks VMs are installed on: a migration checks the target has their bridges */
  networks: NetworksConfig
  /** a destroyed VM's addresses are freed here */
  addresses: AddressBook
  /** Waits until a started VM is usable; the install issue makes this an SSH check. */
  waitUntilReady: (vm: LocatedVm, report: ReportStep, signal: AbortSignal) => Promise<void>
}

/** A checked operation ready to run: checks happened when it was made, work happens in run. */
export interface PlannedOperation {
  vmid: number
  run(report: ReportStep, signal: AbortSignal): Promise<void>
  /** releases the VM's lock if the plan is dropped without running */
  abandon(): void
}
