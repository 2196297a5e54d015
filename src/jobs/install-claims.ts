import type { ReservationStore } from '../provision/install/reservations.js'
import { VmBusyError } from '../provision/errors.js'
import type { VmLocks } from '../provision/vm-locks.js'

/**
 * What one install job holds while it runs: the VMID it reserved (owned by the job's id, so a
 * restart knows whose it was) and that VM's lock, so no stop, resize or destroy reaches the VM
 * while it is being built. The install pipeline sees only a `ReservationStore`.
 */
export interface InstallClaims {
  /** the store the pipeline reserves through */
  readonly reservations: ReservationStore
  /** Makes the claims the job's: reservations are owned by `jobId`, each chosen VMID reported. */
  bind(jobId: string, onVmid: (vmid: number) => void): void
  /** Frees whatever is still held; call it when the job ends, however it ends. */
  releaseAll(): void
}

export interface InstallClaimsOptions {
  reservations: ReservationStore
  locks: VmLocks
  /** VMIDs an install must never take */
  isProtected?: (vmid: number) => boolean
}

export function createInstallClaims(options: InstallClaimsOptions): InstallClaims {
  const { reservations: inner, locks } = options
  let owner: { jobId: string; onVmid: (vmid: number) => void } | undefined
  const held = new Map<number, () => void>()

  const release = (vmid: number): void => {
    const unlock = held.get(vmid)
    if (unlock === undefined || owner === undefined) return
    held.delete(vmid)
    unlock()
    inner.release(vmid, owner.jobId)
  }

  return {
    reservations: {
      reserve(vmid) {
        if (owner === undefined) throw new Error('install claims used before their job started')
        if (options.isProtected?.(vmid) === true) return false
        if (!inner.reserve(vmid, owner.jobId)) return false
        try {
          held.set(vmid, locks.acquire(vmid, 'install'))
        } catch (error) {
          inner.release(vmid, owner.jobId)
          if (error instanceof VmBusyError) return false
          throw error
        }
        owner.onVmid(vmid)
        return true
      },
      release: (vmid) => release(vmid),
      reserved: () => inner.reserved(),
    },
    bind(jobId, onVmid) {
      owner = { jobId, onVmid }
    },
    releaseAll() {
      for (const vmid of [...held.keys()]) release(vmid)
    },
  }
}
