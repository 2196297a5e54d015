/** Guest-side faults a test can inject into the simulated guests. */
export interface SimGuestFaults {
  /** from its next boot on, this VM's SSH never answers (until `clear`) */
  neverAnswer(vmid: number): void
  /** the next `times` init scripts run on this VM fail with exit status 1 (default once) */
  failScript(vmid: number, times?: number): void
  /**
   * the next init script that succeeds on this VM leaves it needing a reboot, as a kernel or
   * libc update would (`/run/reboot-required`, `needs-restarting -r` exit 1)
   */
  requireReboot(vmid: number): void
  /**
   * A late boot: from now on this VM's SSH stays closed after a start, however long, until the
   * returned function is called (then it opens as usual). Lets a test prove that nothing claims
   * the VM ready before its SSH answers.
   */
  holdBoot(vmid: number): () => void
  /**
   * `holdBoot` for every VM, those not created yet included (an install whose VMID the test
   * does not know in advance): no SSH opens after a start until the returned function is called.
   */
  holdBoots(): () => void
  clear(): void
}

export interface SimGuestFaultRegistry extends SimGuestFaults {
  isSilent(vmid: number): boolean
  /** resolves when this VM may open its SSH: at once, or when its held boot is let go */
  bootGate(vmid: number): Promise<void>
  /** consumes one armed script failure for this VM; true when there was one */
  takeScriptFault(vmid: number): boolean
  /** consumes an armed reboot requirement for this VM; true when there was one */
  takeRebootRequirement(vmid: number): boolean
}

export function createSimGuestFaults(): SimGuestFaultRegistry {
  const silent = new Set<number>()
  const scriptFailures = new Map<number, number>()
  const reboots = new Set<number>()
  const held = new Map<number, { gate: Promise<void>; open: () => void }>()
  let heldAll: { gate: Promise<void>; open: () => void } | undefined
  const releaseAll = (): void => {
    heldAll?.open()
    heldAll = undefined
  }
  const release = (vmid: number): void => {
    held.get(vmid)?.open()
    held.delete(vmid)
  }
  return {
    requireReboot: (vmid) => {
      reboots.add(vmid)
    },
    takeRebootRequirement: (vmid) => reboots.delete(vmid),
    holdBoot: (vmid) => {
      if (!held.has(vmid)) {
        let open = (): void => undefined
        const gate = new Promise<void>((resolve) => {
          open = resolve
        })
        held.set(vmid, { gate, open })
      }
      return () => release(vmid)
    },
    holdBoots: () => {
      if (heldAll === undefined) {
        let open = (): void => undefined
        const gate = new Promise<void>((resolve) => {
          open = resolve
        })
        heldAll = { gate, open }
      }
      return releaseAll
    },
    bootGate: async (vmid) => {
      await heldAll?.gate
      await held.get(vmid)?.gate
    },
    neverAnswer: (vmid) => {
      silent.add(vmid)
    },
    failScript: (vmid, times = 1) => {
      scriptFailures.set(vmid, (scriptFailures.get(vmid) ?? 0) + times)
    },
    clear: () => {
      reboots.clear()
      for (const vmid of [...held.keys()]) release(vmid)
      releaseAll()
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
