import type {
  CloneOptions,
  Cluster,
  ClusterResources,
  OperationOptions,
  VmConfigChanges,
  VmSummary,
} from './cluster.js'

export interface SharedReadsOptions {
  /** how long a finished read of the resource list is reused */
  ttlMs: number
  /**
   * how long after a change the resource list may still show the VM as it was (pvestatd pushes
   * status every 10 s, pve.md §1.4); meanwhile the VM's entry shows what the change did
   */
  staleMs?: number
  now?: () => number
}

/** What this service's changes to one VM did, as far as the resource list shows it. */
interface Touched {
  node: string
  /** when the last change was made */
  at: number
  destroyed: boolean
  /** the list entry's fields the changes set (status, name, node, ...) */
  fields: Partial<VmSummary>
  /** epoch ms of our last start or reboot: the entry's uptime counts from it */
  startedAt?: number
  /** a change failed part-way, so what it did is unknown: the VM is read once */
  unknown: boolean
  /** the VM as read after an unknown outcome: later lists reuse it (one read per change) */
  seen?: Promise<VmSummary | undefined>
}

const defaultStaleMs = 12_000
const MiB = 1024 * 1024
const GiB = 1024 * MiB

/**
 * Wraps a driver so that concurrent reads of the cluster-wide resource list share one Proxmox
 * call, and a read finished less than `ttlMs` ago is reused (Proxmox's own list is up to 10 s
 * old anyway, pve.md §1.4).
 *
 * Proxmox's list lags a change by up to one pvestatd cycle, so for `staleMs` after a change this
 * service made through the wrapper, the VM's entry shows what the change did, worked out from
 * the change itself — a started VM lists as running, a stopped one as stopped, a destroyed one
 * is gone, a migrated one is on its new node, a created or cloned one is there with its name,
 * CPUs, memory and tags — with no Proxmox read at all, and the cached list stays good (it is
 * patched, not dropped). Only the fields a change set are patched: everything else, and every
 * VM the service did not touch, comes from Proxmox's list, so changes made elsewhere show as
 * Proxmox lists them (a change elsewhere to a field this service just set shows once the window
 * is over). A change that failed may have done part of its work: then the cached list is
 * dropped and the VM read once (`status/current`) instead. Reads of one node's storages
 * (parallel installs checking their storage) share one call too, reused for `ttlMs`.
 */
export function withSharedReads(cluster: Cluster, options: SharedReadsOptions): Cluster {
  const now = options.now ?? Date.now
  const staleMs = options.staleMs ?? defaultStaleMs
  let inFlight: Promise<ClusterResources> | undefined
  let cached: { at: number; value: ClusterResources } | undefined
  let generation = 0
  const touched = new Map<number, Touched>()

  const invalidate = (): void => {
    generation += 1
    cached = undefined
    inFlight = undefined
  }

  const current = (vmid: number): Touched | undefined => {
    const entry = touched.get(vmid)
    if (entry !== undefined && entry.at < now() - staleMs) {
      touched.delete(vmid)
      return undefined
    }
    return entry
  }

  /** Records a change's effect on one VM, on top of the earlier changes still in the window. */
  const record = (
    vmid: number,
    node: string,
    effect: { fields?: Partial<VmSummary>; destroyed?: boolean; started?: boolean },
  ): void => {
    const earlier = effect.destroyed === true ? undefined : current(vmid)
    const startedAt = effect.started === true ? now() : earlier?.startedAt
    touched.set(vmid, {
      node,
      at: now(),
      destroyed: effect.destroyed === true,
      fields: { ...earlier?.fields, ...effect.fields },
      ...(startedAt === undefined ? {} : { startedAt }),
      unknown: earlier?.unknown === true,
    })
  }

  /** A failed change: its effect is unknown, so the VM is read again and the list re-read. */
  const recordUnknown = (vmid: number, node: string): void => {
    const earlier = current(vmid)
    touched.set(vmid, {
      node,
      at: now(),
      destroyed: false,
      fields: earlier?.destroyed === true ? {} : { ...earlier?.fields },
      ...(earlier?.startedAt === undefined ? {} : { startedAt: earlier.startedAt }),
      unknown: true,
    })
    invalidate()
  }

  /** A change to one VM: on success its effect is recorded, on failure the VM is read again. */
  const changing =
    <Rest extends unknown[]>(
      call: (node: string, vmid: number, ...rest: Rest) => Promise<void>,
      effect: (node: string, vmid: number, ...rest: Rest) => void,
    ) =>
    async (node: string, vmid: number, ...rest: Rest): Promise<void> => {
      try {
        await call(node, vmid, ...rest)
      } catch (error) {
        // even a failed call may have changed something (a start that timed out)
        recordUnknown(vmid, node)
        throw error
      }
      effect(node, vmid, ...rest)
    }

  /** The entry this service last knew for a VM (the cached list with the changes applied). */
  const knownEntry = (vmid: number): VmSummary | undefined => {
    const listed = cached?.value.vms.find((vm) => vm.vmid === vmid)
    const change = current(vmid)
    if (change === undefined) return listed
    if (change.destroyed) return undefined
    return {
      ...(listed ?? { vmid, node: change.node, status: 'unknown' }),
      ...change.fields,
    }
  }

  /** The list with the entries of recently changed VMs as the changes left them. */
  async function corrected(list: ClusterResources): Promise<ClusterResources> {
    const recent: [number, Touched][] = []
    for (const vmid of [...touched.keys()]) {
      const change = current(vmid)
      if (change !== undefined) recent.push([vmid, change])
    }
    if (recent.length === 0) return list
    const vms = new Map(list.vms.map((vm) => [vm.vmid, vm]))
    await Promise.all(
      recent.map(async ([vmid, change]) => {
        if (change.destroyed) {
          vms.delete(vmid)
          return
        }
        let base = vms.get(vmid)
        if (change.unknown) {
          change.seen ??= readVm(vmid, change, base)
          const seen = await change.seen
          if (seen === undefined) return
          base = seen
        }
        const entry: VmSummary = {
          ...(base ?? { vmid, node: change.node, status: 'unknown' }),
          ...change.fields,
        }
        if (change.startedAt !== undefined && entry.status === 'running')
          entry.uptime = Math.floor((now() - change.startedAt) / 1000)
        if (entry.lock === undefined) delete entry.lock
        vms.set(vmid, entry)
      }),
    )
    return { ...list, vms: [...vms.values()] }
  }

  /** `status/current` of a VM whose last change failed; undefined when it is not there. */
  async function readVm(
    vmid: number,
    change: Touched,
    listed: VmSummary | undefined,
  ): Promise<VmSummary | undefined> {
    try {
      const status = await cluster.vmStatus(change.node, vmid)
      const entry: VmSummary = {
        ...listed,
        vmid,
        node: change.node,
        status: status.status,
        name: status.name,
        maxcpu: status.cpus,
        maxmem: status.maxmem,
        mem: status.mem,
        maxdisk: status.maxdisk,
        uptime: status.uptime,
        ...(status.lock === undefined ? {} : { lock: status.lock }),
      }
      if (status.lock === undefined) delete entry.lock
      return entry
    } catch {
      // the VM is not where we left it (gone, moved by someone else): the list is the truth
      return undefined
    }
  }

  const stopped: Partial<VmSummary> = { status: 'stopped', uptime: 0, mem: 0, cpu: 0 }
  /** a node's storage read, in flight (at: Infinity) or done at `at`: shared for `ttlMs` */
  const storageReads = new Map<string, { read: ReturnType<Cluster['nodeStorages']>; at: number }>()

  return {
    ...cluster,
    description: cluster.description,
    resources(readOptions?: OperationOptions): Promise<ClusterResources> {
      if (cached !== undefined && now() - cached.at < options.ttlMs) return corrected(cached.value)
      if (inFlight !== undefined) return inFlight.then(corrected)
      const started = generation
      // the shared read must not die with one caller's signal
      const read = cluster.resources(
        readOptions?.onLine === undefined ? {} : { onLine: readOptions.onLine },
      )
      inFlight = read
      read.then(
        (value) => {
          if (generation === started) cached = { at: now(), value }
          if (inFlight === read) inFlight = undefined
        },
        () => {
          if (inFlight === read) inFlight = undefined
        },
      )
      return read.then(corrected)
    },
    createVm: changing(cluster.createVm.bind(cluster), (node, vmid, config: VmConfigChanges) => {
      record(vmid, node, {
        fields: { vmid, node, ...stopped, ...configFields(config, true), template: false },
      })
    }),
    updateVm: changing(cluster.updateVm.bind(cluster), (node, vmid, changes: VmConfigChanges) => {
      // CPUs and memory of a running VM may wait for its next cold start (pve.md §2.3)
      const applied = knownEntry(vmid)?.status === 'stopped'
      record(vmid, node, { fields: configFields(changes, applied) })
    }),
    resizeDisk: changing(
      cluster.resizeDisk.bind(cluster),
      (node, vmid, disk: string, size: string) => {
        const maxdisk = resizedBytes(size, knownEntry(vmid)?.maxdisk)
        // the list's disk size is the boot disk's; the service's VMs boot from scsi0
        record(vmid, node, { fields: disk === 'scsi0' && maxdisk !== undefined ? { maxdisk } : {} })
      },
    ),
    startVm: changing(cluster.startVm.bind(cluster), (node, vmid) => {
      record(vmid, node, { fields: { status: 'running' }, started: true })
    }),
    stopVm: changing(cluster.stopVm.bind(cluster), (node, vmid) => {
      record(vmid, node, { fields: stopped })
    }),
    shutdownVm: changing(cluster.shutdownVm.bind(cluster), (node, vmid) => {
      record(vmid, node, { fields: stopped })
    }),
    rebootVm: changing(cluster.rebootVm.bind(cluster), (node, vmid) => {
      record(vmid, node, { fields: { status: 'running' }, started: true })
    }),
    destroyVm: changing(cluster.destroyVm.bind(cluster), (node, vmid) => {
      record(vmid, node, { destroyed: true })
    }),
    migrateVm: changing(cluster.migrateVm.bind(cluster), (_node, vmid, target: string) => {
      record(vmid, target, { fields: { node: target } })
    }),
    // the clone is a new VM (the source only lent its disks): that is the one to patch
    async cloneVm(node: string, vmid: number, newid: number, cloneOptions: CloneOptions) {
      const at = cloneOptions.target ?? node
      try {
        await cluster.cloneVm(node, vmid, newid, cloneOptions)
      } catch (error) {
        recordUnknown(newid, at)
        throw error
      }
      const source = knownEntry(vmid)
      record(newid, at, {
        fields: {
          vmid: newid,
          node: at,
          ...stopped,
          template: false,
          ...(cloneOptions.name === undefined ? {} : { name: cloneOptions.name }),
          ...(source?.tags === undefined ? {} : { tags: source.tags }),
          ...(source?.maxcpu === undefined ? {} : { maxcpu: source.maxcpu }),
          ...(source?.maxmem === undefined ? {} : { maxmem: source.maxmem }),
          ...(source?.maxdisk === undefined ? {} : { maxdisk: source.maxdisk }),
        },
      })
    },
    templateVm: changing(cluster.templateVm.bind(cluster), (node, vmid) => {
      record(vmid, node, { fields: { template: true, ...stopped } })
    }),
    nodeStatus: cluster.nodeStatus.bind(cluster),
    nodeStorages(node: string, readOptions?: OperationOptions) {
      const known = storageReads.get(node)
      let read = known !== undefined && now() - known.at < options.ttlMs ? known.read : undefined
      if (read === undefined) {
        // shared, so it must not die with one caller's signal
        const own = cluster.nodeStorages(node)
        read = own
        storageReads.set(node, { read: own, at: Number.POSITIVE_INFINITY })
        own.then(
          () => {
            // reused for `ttlMs` from now, like the resource list
            if (storageReads.get(node)?.read === own)
              storageReads.set(node, { read: own, at: now() })
          },
          () => {
            if (storageReads.get(node)?.read === own) storageReads.delete(node)
          },
        )
      }
      const signal = readOptions?.signal
      return signal === undefined ? read : abortable(read, signal)
    },
    vmStatus: cluster.vmStatus.bind(cluster),
    vmConfig: cluster.vmConfig.bind(cluster),
    // never cached: a bridge list or a guest's addresses are asked for when they matter
    nodeBridges: cluster.nodeBridges.bind(cluster),
    guestInterfaces: cluster.guestInterfaces.bind(cluster),
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the shared work goes on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted)
    return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort)
    })
  })
}

/**
 * The list fields a config change sets: name and tags always (Proxmox applies them at once),
 * CPUs and memory only when `applied` (a stopped VM; a running one may keep them pending).
 */
function configFields(changes: VmConfigChanges, applied: boolean): Partial<VmSummary> {
  const fields: Partial<VmSummary> = {}
  if (typeof changes.name === 'string') fields.name = changes.name
  if (typeof changes.tags === 'string')
    fields.tags = changes.tags.split(/[;, ]+/).filter((tag) => tag !== '')
  if (!applied) return fields
  const cores = numberOf(changes.cores)
  const sockets = numberOf(changes.sockets)
  const vcpus = numberOf(changes.vcpus)
  if (vcpus !== undefined) fields.maxcpu = vcpus
  else if (cores !== undefined) fields.maxcpu = cores * (sockets ?? 1)
  const memory = numberOf(changes.memory)
  if (memory !== undefined) fields.maxmem = memory * MiB
  return fields
}

function numberOf(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/** `32G` → 32 GiB; `+10G` → the known size plus 10 GiB; undefined when it cannot tell. */
function resizedBytes(size: string, known: number | undefined): number | undefined {
  const match = /^(\+)?(\d+(?:\.\d+)?)([KMGT])?$/.exec(size)
  if (match === null) return undefined
  const units: Record<string, number> = { K: 1024, M: MiB, G: GiB, T: 1024 * GiB }
  const bytes = Math.round(Number(match[2]) * (units[match[3] ?? ''] ?? 1))
  if (match[1] === undefined) return bytes
  return known === undefined ? undefined : known + bytes
}
