import { VmBusyError } from './errors.js'

/**
 * One changing operation per VM at a time, inside this service. Proxmox has its own locks, but
 * they answer late and vaguely; this answers at once and names what holds the VM.
 */
export interface VmLocks {
  /** Takes the VM for `holder` (e.g. `migration (job 3f2a…)`) or throws VmBusyError. */
  acquire(vmid: number, holder: string): () => void
  holderOf(vmid: number): string | undefined
}

export function createVmLocks(): VmLocks {
  const holders = new Map<number, string>()
  return {
    acquire(vmid, holder) {
      const current = holders.get(vmid)
      if (current !== undefined) throw new VmBusyError(vmid, current)
      holders.set(vmid, holder)
      let released = false
      return () => {
        if (released) return
        released = true
        holders.delete(vmid)
      }
    },
    holderOf: (vmid) => holders.get(vmid),
  }
}
