import type { VmSummary } from '../../pve/cluster.js'

/** Changes this service made to a running VM that wait for its next cold start. */
export interface TrackedPending {
  /** key → the new value (`null`: the key goes) */
  values: Record<string, string | null>
  /** epoch ms when the QEMU process of the VM started, as far as we know */
  bootedAt: number
}

/**
 * What `GET /api/vm/list` shows as `pending`, without a Proxmox read per VM: the list stays one
 * read of `/cluster/resources`. When set/cpu or set/memory leaves values pending (learned by one
 * `vmPending` read right after the change), they are remembered here with the time the VM's
 * QEMU process started. They are forgotten when the VM is cold-started (our start or reboot, or
 * any start elsewhere: the list's `uptime` then began after the recorded boot), destroyed, or
 * no longer listed. A reboot from inside the guest keeps QEMU running, so the values stay, as
 * they stay pending in Proxmox.
 *
 * Changes made outside this service (the GUI, qm by hand) are not seen; a restart of the
 * service forgets the list (set the value again to see it).
 */
export interface PendingTracker {
  record(vmid: number, values: Record<string, string | null>, bootedAt: number): void
  forget(vmid: number): void
  /** The pending values of the listed VMs, dropping entries a cold start has applied. */
  forList(vms: readonly VmSummary[], now?: number): Map<number, Record<string, string | null>>
}

/** pvestatd refreshes `/cluster/resources` every 10 s (pve.md §1.4): uptimes lag that much. */
const staleness = 15_000

export function createPendingTracker(): PendingTracker {
  const entries = new Map<number, TrackedPending>()
  return {
    record(vmid, values, bootedAt) {
      const known = entries.get(vmid)
      const merged = { ...(known?.values ?? {}), ...values }
      if (Object.keys(merged).length === 0) entries.delete(vmid)
      else entries.set(vmid, { values: merged, bootedAt: known?.bootedAt ?? bootedAt })
    },
    forget(vmid) {
      entries.delete(vmid)
    },
    forList(vms, now = Date.now()) {
      const out = new Map<number, Record<string, string | null>>()
      const listed = new Map(vms.map((vm) => [vm.vmid, vm]))
      for (const [vmid, entry] of entries) {
        const vm = listed.get(vmid)
        if (vm === undefined) {
          entries.delete(vmid)
          continue
        }
        const restarted =
          vm.status === 'running' &&
          vm.uptime !== undefined &&
          now - vm.uptime * 1000 > entry.bootedAt + staleness
        if (restarted) {
          entries.delete(vmid)
          continue
        }
        out.set(vmid, entry.values)
      }
      return out
    },
  }
}
