import type { OsRelease } from '../../images/os-catalog.js'
import type { HeldAddresses, VmNetwork } from '../../networks/index.js'
import type { ReportStep } from '../progress.js'
import type { TemplateRecord, TemplateScope } from '../templates/template-service.js'
import type { InstallDeps } from './deps.js'
import type { GuestSessionPort } from './ports.js'
import type { InstallRequest } from './request.js'

/**
 * What the stages know and decide, filled in as they run. Stages read what earlier stages set;
 * `undo` collects what must be reversed if a later stage fails or the install is cancelled.
 */
export interface InstallContext {
  readonly deps: InstallDeps
  readonly request: InstallRequest
  readonly release: OsRelease
  readonly jobId: string
  readonly report: ReportStep
  readonly signal: AbortSignal
  vmid: number
  /** the network the VM joins */
  readonly network: VmNetwork
  /** the VMID asked for (`id`, or on the seed's network the last number of `ip`) */
  readonly requestedVmid: number | undefined
  /** the address SSH goes to: the held IPv4, else what the guest agent reports (IPv4 first) */
  ip: string
  /** the VM's IPv6 address, held or reported, when it has one */
  ip6: string | undefined
  /** what the address book holds for this install */
  held: HeldAddresses | undefined
  /** where the VM is created (the main node; see the README on why) */
  createNode: string
  /** where it should end up */
  targetNode: string
  cpu: number
  ramMb: number
  diskGb: number
  storage: string
  cpuType: string
  imagePath: string
  user: string
  /** plain text, in memory only; never stored, logged or put on a command line */
  password: string | undefined
  passwordGenerated: boolean
  sshKeys: string[]
  /** where the VM lives now, once created */
  vmNode: string | undefined
  undo: (() => Promise<void>)[]
  /** the first-boot script with the password hashes, rendered while the VM boots; in memory only */
  initScript?: string | undefined
  /** the SSH connection to the VM kept from its readiness check on; closed when the install ends */
  guest?: GuestSessionPort
  /** digest of the verified image (set when the image is placed) */
  imageSha?: string
  /** set when the VM is to be a linked clone of a cached template rather than an import */
  clone?: {
    scope: TemplateScope
    template?: TemplateRecord
    built?: boolean
    /** the disk was grown beside the clone's own settings (so not again afterwards) */
    resized?: boolean
  }
}

/** The install's SSH session to its VM (at `ctx.ip` as `ctx.user`), opened on first use. */
export function guestSession(ctx: InstallContext): GuestSessionPort {
  ctx.guest ??= ctx.deps.guest.session(ctx.ip, ctx.user)
  return ctx.guest
}
