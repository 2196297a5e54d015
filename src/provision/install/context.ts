import type { OsRelease } from '../../images/os-catalog.js'
import type { ReportStep } from '../progress.js'
import type { TemplateRecord, TemplateScope } from '../templates/template-service.js'
import type { InstallDeps } from './deps.js'
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
  ip: string
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
