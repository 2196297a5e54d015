import { describeError } from '../../errors.js'
import type { OsRelease } from '../../images/os-catalog.js'
import type { Cluster, NodeStorage, VmSummary } from '../../pve/cluster.js'
import { PveError } from '../../pve/errors.js'
import type { WorkQueue } from '../install/work-queue.js'
import { buildTemplate } from './build-template.js'
import { TemplateError } from './errors.js'
import {
  cloneTag,
  readTemplateTags,
  sameImage,
  supportsLinkedClones,
  type TemplateIdentity,
} from './template-identity.js'
import { readTemplateRecord } from './read-template-record.js'

/** Where a template lives: one per storage when shared, one per (node, storage) otherwise. */
export interface TemplateScope {
  node: string
  storage: string
  /** plugin type (lvmthin, dir, ...) */
  type: string
  shared: boolean
}

/** A template this service made (or found again after a restart). */
export interface TemplateRecord extends TemplateScope {
  vmid: number
  release: OsRelease
  /** the image's digest, or the prefix its tags keep when found after a restart */
  sha: string
  /** epoch ms it was built (0 when found after a restart) */
  builtAt: number
}

/** A template as `GET /api/templates` shows it. */
export interface TemplateListing {
  vmid: number
  release: OsRelease
  node: string
  storage: string
  shared: boolean
  sha: string
  /** the VMIDs of linked clones backed by its base volume */
  clones: number[]
  /** false once a newer image of its release was verified: removed when its last clone goes */
  current: boolean
}

export interface EnsureTemplateRequest extends TemplateIdentity {
  scope: TemplateScope
  /** what `import-from=` takes: an absolute path on `imageNode`, or a volume on it */
  imageSource: string
  /** the node the image can be imported on (the main node for a path) */
  imageNode: string
}

export interface TemplateServiceOptions {
  cluster: Cluster
  vmidStart: number
  vmidEnd: number
  /** disk operations per storage wait here, as the install's own do */
  storageQueue: WorkQueue
  log?: { warn(details: object, message: string): void }
}

/** Cached OS templates: found, built once (single flight), cloned in parallel, retired. */
export interface TemplateService {
  /** The scope of an install's template, or undefined when its storage cannot link-clone. */
  scopeFor(targetNode: string, mainNode: string, storage: NodeStorage): TemplateScope | undefined
  /** The ready template for this image in this scope, if one exists (no build). */
  find(identity: TemplateIdentity, scope: TemplateScope): Promise<TemplateRecord | undefined>
  /** The template to clone, built if missing; concurrent callers share one build. */
  ensure(
    request: EnsureTemplateRequest,
    options: { signal: AbortSignal; onLine: (line: string) => void },
  ): Promise<{ template: TemplateRecord; built: boolean }>
  /**
   * Runs a clone of `template` in its storage's queue, beside the other disk operations there.
   * Proxmox holds only a shared lock on a stopped template for a clone (clones of one template
   * run side by side); what parallel clones contend for is the storage's allocation lock.
   */
  cloneTurn<T>(
    template: TemplateRecord,
    clone: number,
    options: { signal: AbortSignal; onQueued: (position: number) => void },
    work: () => Promise<T>,
  ): Promise<T>
  list(): Promise<TemplateListing[]>
  /** Destroys a template no clone uses; Proxmox's refusal otherwise (TEMPLATE_IN_USE). */
  remove(vmid: number): Promise<TemplateRecord>
  /** Is this VMID one of our templates (ready or being built), or any Proxmox template? */
  isTemplate(vmid: number): Promise<boolean>
  /** VMIDs of our templates, ready or being built (Proxmox's list may not show them yet) */
  knownVmids(): ReadonlySet<number>
  /** The VMID the next build would take now (for a dry-run plan; nothing is held) */
  nextVmid(): Promise<number>
  /** Removes templates of superseded images that no clone uses any more; says which. */
  sweep(): Promise<number[]>
}

interface Flight {
  promise: Promise<TemplateRecord>
  listeners: Set<(line: string) => void>
}

const releaseKey = (release: OsRelease): string => `${release.os}/${release.version}`
const scopeKey = (scope: TemplateScope): string =>
  scope.shared ? scope.storage : `${scope.node}/${scope.storage}`

export function createTemplateService(options: TemplateServiceOptions): TemplateService {
  const { cluster } = options
  const records = new Map<number, TemplateRecord>()
  /** VMIDs being built now, so two builds never take one id */
  const building = new Set<number>()
  /** clones this process made, by template VMID (the resource list lags behind them) */
  const made = new Map<number, Set<number>>()
  /** the newest verified digest of each release */
  const latest = new Map<string, string>()
  const flights = new Map<string, Flight>()
  let loading: Promise<void> | undefined
  let sweeping: Promise<number[]> | undefined

  const inRange = (vmid: number): boolean => vmid >= options.vmidStart && vmid <= options.vmidEnd

  /** Templates made before this process started: tagged by us, in our range. */
  const load = (): Promise<void> => {
    loading ??= (async () => {
      const { vms } = await cluster.resources()
      const ours = vms.filter(
        (vm) => vm.template === true && inRange(vm.vmid) && readTemplateTags(vm.tags ?? []),
      )
      const storages = new Map<string, Promise<readonly NodeStorage[]>>()
      const storagesOf = (node: string): Promise<readonly NodeStorage[]> => {
        const known = storages.get(node) ?? cluster.nodeStorages(node)
        storages.set(node, known)
        return known
      }
      for (const vm of ours) {
        const record = await readTemplateRecord(cluster, vm, storagesOf)
        if (record !== undefined && !records.has(vm.vmid)) records.set(vm.vmid, record)
      }
    })().catch((error: unknown) => {
      loading = undefined
      throw error
    })
    return loading
  }

  const matching = (identity: TemplateIdentity, scope: TemplateScope): TemplateRecord[] =>
    [...records.values()]
      .filter(
        (record) =>
          releaseKey(record.release) === releaseKey(identity.release) &&
          scopeKey(record) === scopeKey(scope) &&
          sameImage(record.sha.slice(0, 12), identity.sha),
      )
      .sort((a, b) => b.vmid - a.vmid)

  const freeVmid = async (): Promise<number> => {
    const { vms } = await cluster.resources()
    const taken = new Set(vms.map((vm) => vm.vmid))
    for (let vmid = options.vmidStart; vmid <= options.vmidEnd; vmid += 1) {
      if (!taken.has(vmid) && !records.has(vmid) && !building.has(vmid)) return vmid
    }
    throw new TemplateError(
      'TEMPLATE_NO_FREE_VMID',
      `no free VMID for a template in ${options.vmidStart}-${options.vmidEnd} (TEMPLATE_VMID_START..END)`,
    )
  }

  const build = async (
    request: EnsureTemplateRequest,
    listeners: ReadonlySet<(line: string) => void>,
  ): Promise<TemplateRecord> => {
    const vmid = await freeVmid()
    building.add(vmid)
    try {
      const emit = (line: string): void => {
        for (const listener of listeners) listener(line)
      }
      await buildTemplate({ cluster, storageQueue: options.storageQueue }, vmid, request, emit)
      const record: TemplateRecord = {
        ...request.scope,
        vmid,
        release: request.release,
        sha: request.sha,
        builtAt: Date.now(),
      }
      records.set(vmid, record)
      return record
    } finally {
      building.delete(vmid)
    }
  }

  /** Clones of each template: tagged in the resource list, or made here and still there. */
  const clonesOf = (vms: readonly VmSummary[]): Map<number, number[]> => {
    const present = new Set(vms.map((vm) => vm.vmid))
    const out = new Map<number, number[]>()
    for (const record of records.values()) {
      const tagged = vms.filter((vm) => vm.tags?.includes(cloneTag(record.vmid)) === true)
      const ids = new Set([...tagged.map((vm) => vm.vmid), ...(made.get(record.vmid) ?? [])])
      out.set(
        record.vmid,
        [...ids].filter((id) => present.has(id)).sort((a, b) => a - b),
      )
    }
    return out
  }

  const isCurrent = (record: TemplateRecord): boolean => {
    const newest = latest.get(releaseKey(record.release))
    return newest === undefined || sameImage(record.sha.slice(0, 12), newest)
  }

  const destroy = async (record: TemplateRecord): Promise<void> => {
    try {
      await cluster.destroyVm(record.node, record.vmid)
    } catch (error) {
      if (error instanceof PveError && error.message.includes('still in use by linked clone'))
        throw new TemplateError('TEMPLATE_IN_USE', error.message, { cause: error })
      if (!(error instanceof PveError && error.kind === 'vm_not_found')) throw error
    }
    records.delete(record.vmid)
    made.delete(record.vmid)
  }

  const service: TemplateService = {
    scopeFor(targetNode, mainNode, storage) {
      if (!supportsLinkedClones(storage.type)) return undefined
      return {
        node: storage.shared ? mainNode : targetNode,
        storage: storage.storage,
        type: storage.type,
        shared: storage.shared,
      }
    },

    async find(identity, scope) {
      await load()
      return matching(identity, scope)[0]
    },

    async ensure(request, { signal, onLine }) {
      await load()
      latest.set(releaseKey(request.release), request.sha)
      const ready = matching(request, request.scope)[0]
      if (ready !== undefined) return { template: ready, built: false }
      const key = `${releaseKey(request.release)}/${request.sha}/${scopeKey(request.scope)}`
      let flight = flights.get(key)
      if (flight === undefined) {
        const listeners = new Set<(line: string) => void>()
        // shared by every install waiting for it: no one caller's signal may end it
        const promise = build(request, listeners).finally(() => {
          flights.delete(key)
        })
        flight = { promise, listeners }
        flights.set(key, flight)
      }
      flight.listeners.add(onLine)
      try {
        return { template: await raceAbort(flight.promise, signal), built: true }
      } finally {
        flight.listeners.delete(onLine)
      }
    },

    async cloneTurn(template, clone, { signal, onQueued }, work) {
      // the clone's disks are made where the template is (pve.md §2.9, §10.10)
      const leave = await options.storageQueue.enter(`${template.node}/${template.storage}`, {
        signal,
        onQueued,
      })
      try {
        const result = await work()
        const set = made.get(template.vmid) ?? new Set<number>()
        set.add(clone)
        made.set(template.vmid, set)
        return result
      } finally {
        leave()
      }
    },

    async list() {
      await load()
      const { vms } = await cluster.resources()
      const clones = clonesOf(vms)
      return [...records.values()]
        .sort((a, b) => a.vmid - b.vmid)
        .map((record) => ({
          vmid: record.vmid,
          release: record.release,
          node: record.node,
          storage: record.storage,
          shared: record.shared,
          sha: record.sha,
          clones: clones.get(record.vmid) ?? [],
          current: isCurrent(record),
        }))
    },

    async remove(vmid) {
      await load()
      const record = records.get(vmid)
      if (record === undefined) {
        throw new TemplateError(
          'TEMPLATE_NOT_FOUND',
          `VM ${vmid} is not a template of this service (GET /api/templates lists them)`,
        )
      }
      await destroy(record)
      return record
    },

    knownVmids: () => new Set([...records.keys(), ...building]),
    nextVmid: freeVmid,

    async isTemplate(vmid) {
      if (records.has(vmid) || building.has(vmid)) return true
      const { vms } = await cluster.resources()
      return vms.some((vm) => vm.vmid === vmid && vm.template === true)
    },

    sweep() {
      sweeping ??= (async () => {
        await load()
        // nothing superseded: no need to read the cluster at all
        if ([...records.values()].every(isCurrent)) return []
        const { vms } = await cluster.resources()
        const clones = clonesOf(vms)
        const removed: number[] = []
        for (const record of [...records.values()]) {
          if (isCurrent(record) || (clones.get(record.vmid) ?? []).length > 0) continue
          try {
            await destroy(record)
            removed.push(record.vmid)
          } catch (error) {
            // a clone the resource list did not show yet: Proxmox refused, the template stays
            options.log?.warn(
              { vmid: record.vmid, error: describeError(error) },
              'superseded template kept',
            )
          }
        }
        return removed
      })().finally(() => {
        sweeping = undefined
      })
      return sweeping
    },
  }
  return service
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    void promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort)
    })
  })
}
