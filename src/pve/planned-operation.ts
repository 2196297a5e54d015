import type { VmConfigChanges } from './cluster.js'

/**
 * One Proxmox operation an install would run, for a dry-run plan: the same calls as the
 * Cluster port, as data. A driver can render them in its own terms (the cli driver as qm lines).
 */
export type PlannedOperation =
  | { op: 'create'; node: string; vmid: number; config: VmConfigChanges }
  | { op: 'update'; node: string; vmid: number; changes: VmConfigChanges }
  | { op: 'resize'; node: string; vmid: number; disk: string; size: string }
  | { op: 'start' | 'reboot' | 'template'; node: string; vmid: number }
  | { op: 'migrate'; node: string; vmid: number; target: string }
  | {
      op: 'clone'
      node: string
      vmid: number
      newid: number
      full: boolean
      name?: string
      target?: string
    }
