/** The operations a fault can be injected into. */
export type FaultOperation =
  | 'create'
  | 'import'
  | 'config'
  | 'resize'
  | 'start'
  | 'stop'
  | 'shutdown'
  | 'reboot'
  | 'destroy'
  | 'migrate'
  | 'download'
  | 'clone'
  | 'template'

export interface FaultSpec {
  operation: FaultOperation
  /** only this VM (any VM when absent) */
  vmid?: number
  /** the error text; a realistic default per operation when absent */
  message?: string
  /** how many matching operations fail (default 1) */
  times?: number
}

/** Which operations a hold stops: one operation, on one VM or on any. */
export interface HoldSpec {
  operation: FaultOperation
  /** only this VM (any VM when absent; downloads are VM 0) */
  vmid?: number
}

/**
 * A latch on an operation, for tests that act while it is still running: the operation stops
 * at its start (its checks done, its locks and `lock` taken) until released, so "still
 * running" is certain rather than a matter of a slow SIM_SPEED and a loaded machine.
 */
export interface FaultHold {
  /** resolves with the VMID of the first operation that reached the hold */
  readonly reached: Promise<number>
  /** lets every held operation go on, and holds no more */
  release(): void
}

/** Makes the next matching operations fail the way that operation fails in PVE. */
export interface FaultInjector {
  inject(fault: FaultSpec): void
  /** Holds every matching operation from now on, until released (or the task is cancelled). */
  hold(spec: HoldSpec): FaultHold
  /** disarms every fault and releases every hold */
  clear(): void
}

interface ArmedHold {
  spec: HoldSpec
  arrive: (vmid: number) => void
  open: Promise<void>
  release: () => void
}

interface ArmedFault {
  operation: FaultOperation
  vmid?: number
  message?: string
  remaining: number
}

/** Default failure texts, worded like the real failures of each operation. */
export const defaultFaultMessages: Record<FaultOperation, (vmid: number) => string> = {
  create: (vmid) =>
    `unable to create VM ${vmid} - lvcreate 'pve/vm-${vmid}-disk-0' error:   Insufficient free space: 8192 extents needed, but only 0 available`,
  import: () =>
    `copy failed: command '/usr/bin/qemu-img convert -p -n -f qcow2 -O raw' failed: exit code 1`,
  config: (vmid) => `VM ${vmid} qmp command 'device_add' failed - got timeout`,
  resize: (vmid) => `VM ${vmid} qmp command 'block_resize' failed - got timeout`,
  start: () => 'start failed: QEMU exited with code 1',
  stop: (vmid) => `VM ${vmid} qmp command 'quit' failed - got timeout`,
  shutdown: () => 'VM quit/powerdown failed - got timeout',
  reboot: () => 'VM quit/powerdown failed - got timeout',
  destroy: (vmid) =>
    `lvremove 'pve/vm-${vmid}-disk-0' error:   Logical volume pve/vm-${vmid}-disk-0 in use.`,
  migrate: () => 'migration aborted',
  download: () => 'download failed: wget: unable to resolve host address',
  clone: (vmid) =>
    `clone failed: lvcreate 'pve/vm-${vmid}-disk-0' error:   Insufficient free space: 8192 extents needed, but only 0 available`,
  template: (vmid) =>
    `lvrename 'pve/vm-${vmid}-disk-0' error:   Logical volume pve/vm-${vmid}-disk-0 in use.`,
}

/** The fault registry the operations consult. */
export class Faults implements FaultInjector {
  #armed: ArmedFault[] = []
  #holds: ArmedHold[] = []

  inject(fault: FaultSpec): void {
    this.#armed.push({
      operation: fault.operation,
      ...(fault.vmid === undefined ? {} : { vmid: fault.vmid }),
      ...(fault.message === undefined ? {} : { message: fault.message }),
      remaining: fault.times ?? 1,
    })
  }

  hold(spec: HoldSpec): FaultHold {
    let arrive: (vmid: number) => void = () => undefined
    const reached = new Promise<number>((resolve) => {
      arrive = resolve
    })
    let open = (): void => undefined
    const opened = new Promise<void>((resolve) => {
      open = resolve
    })
    const armed: ArmedHold = {
      spec: { ...spec },
      arrive,
      open: opened,
      release: () => {
        this.#holds = this.#holds.filter((h) => h !== armed)
        open()
      },
    }
    this.#holds.push(armed)
    return { reached, release: armed.release }
  }

  clear(): void {
    this.#armed = []
    for (const hold of [...this.#holds]) hold.release()
  }

  /**
   * Where an operation starts its work: waits while a hold matches it. Rejects with the
   * signal's reason when the task is cancelled (or the simulator closes) meanwhile.
   */
  async gate(operation: FaultOperation, vmid: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const hold = this.#holds.find(
        (h) =>
          h.spec.operation === operation && (h.spec.vmid === undefined || h.spec.vmid === vmid),
      )
      if (hold === undefined) return
      hold.arrive(vmid)
      await untilOpen(hold.open, signal)
    }
  }

  /** Consumes one matching fault and returns its message, or undefined when none is armed. */
  take(operation: FaultOperation, vmid: number): string | undefined {
    const fault = this.#armed.find(
      (f) =>
        f.operation === operation && (f.vmid === undefined || f.vmid === vmid) && f.remaining > 0,
    )
    if (!fault) return undefined
    fault.remaining--
    if (fault.remaining <= 0) this.#armed = this.#armed.filter((f) => f !== fault)
    return fault.message ?? defaultFaultMessages[operation](vmid)
  }
}

function untilOpen(open: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) return open
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error)
    }
    if (signal.aborted) {
      onAbort()
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    void open.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}
