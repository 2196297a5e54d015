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

/** Makes the next matching operations fail the way that operation fails in PVE. */
export interface FaultInjector {
  inject(fault: FaultSpec): void
  clear(): void
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

  inject(fault: FaultSpec): void {
    this.#armed.push({
      operation: fault.operation,
      ...(fault.vmid === undefined ? {} : { vmid: fault.vmid }),
      ...(fault.message === undefined ? {} : { message: fault.message }),
      remaining: fault.times ?? 1,
    })
  }

  clear(): void {
    this.#armed = []
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
