/** Guest-side faults a test can inject into the simulated guests. */
export interface SimGuestFaults {
  /** from its next boot on, this VM's SSH never answers (until `clear`) */
  neverAnswer(vmid: number): void
  /** the next `times` init scripts run on this VM fail with exit status 1 (default once) */
  failScript(vmid: number, times?: number): void
  clear(): void
}

export interface SimGuestFaultRegistry extends SimGuestFaults {
  isSilent(vmid: number): boolean
  /** consumes one armed script failure for this VM; true when there was one */
  takeScriptFault(vmid: number): boolean
}

export function createSimGuestFaults(): SimGuestFaultRegistry {
  const silent = new Set<number>()
  const scriptFailures = new Map<number, number>()
  return {
    neverAnswer: (vmid) => {
      silent.add(vmid)
    },
    failScript: (vmid, times = 1) => {
      scriptFailures.set(vmid, (scriptFailures.get(vmid) ?? 0) + times)
    },
    clear: () => {
      silent.clear()
      scriptFailures.clear()
    },
    isSilent: (vmid) => silent.has(vmid),
    takeScriptFault: (vmid) => {
      const left = scriptFailures.get(vmid) ?? 0
      if (left <= 0) return false
      if (left === 1) scriptFailures.delete(vmid)
      else scriptFailures.set(vmid, left - 1)
      return true
    },
  }
}
