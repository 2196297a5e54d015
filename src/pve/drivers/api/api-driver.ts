import type {
  Cluster,
  ClusterResources,
  MigrateOptions,
  NodeStatus,
  NodeStorage,
  OperationOptions,
  RestrictedAccess,
  StorageDownload,
  VmConfig,
  VmConfigChanges,
  VmStatus,
} from '../../cluster.js'
import {
  checkConfigKey,
  checkDiskKey,
  checkNodeName,
  checkResizeSize,
  checkStorageId,
  checkVolumeId,
} from '../../check-names.js'
import { PveError, pveErrorFromMessage } from '../../errors.js'
import {
  readClusterResources,
  readGuestInterfaces,
  readNodeBridges,
  readNodeStatus,
  readNodeStorages,
  readVmConfig,
  readVmStatus,
} from '../../read/index.js'
import { apiCloneOperations } from './clone.js'
import { readVmPending } from '../../read/pending.js'
import { PveConnectionError, PveUncertainWriteError } from './errors.js'
import { explainAuthFailure } from './explain-auth-failure.js'
import { findStartedTask } from './find-started-task.js'
import { findMissingPrivileges, type RequiredPrivilege } from './required-privileges.js'
import { isIdempotent, isUncertainAnswer } from './retrying-transport.js'
import type { PveApiMethod, PveApiParams, PveApiTransport } from './transport.js'
import { waitForTask } from './wait-for-task.js'

export interface ApiDriverOptions {
  transport: PveApiTransport
  /** What the start-up log says this driver drives. */
  description: string
  /** How often a running task's status and log are read (pve.md §6.3). */
  taskPollMs?: number
}

/** The pve port over the REST API, plus what only an API caller can ask. */
export interface ApiCluster extends Cluster {
  /** who the calls run as: `root@pam`, or a token `user@realm!name` */
  readonly user: string
  /** The privileges of `requiredPrivileges` the credentials hold nowhere
   * (`GET /access/permissions`); empty when all are there. */
  missingPrivileges(options?: OperationOptions): Promise<RequiredPrivilege[]>
}

/**
 * The pve port over Proxmox's REST API. The transport decides whether that is HTTPS with a
 * token or the embedded simulator in-process; this code only knows the API's paths.
 */
export function createApiDriver(options: ApiDriverOptions): ApiCluster {
  const { transport } = options
  const taskPollMs = options.taskPollMs ?? 250
  // skiplock is root-only (pve.md §2.1); a token must not send it
  const isRoot = transport.user === 'root@pam'

  async function call(
    method: PveApiMethod,
    path: string,
    params: PveApiParams | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    let response
    try {
      response = await transport.request({
        method,
        path,
        ...(params === undefined ? {} : { params }),
        ...(signal === undefined ? {} : { signal }),
      })
    } catch (error) {
      // a write cut off after it was sent may have arrived: the caller reads the state
      if (
        !isIdempotent(method) &&
        error instanceof PveConnectionError &&
        (error.failure === 'reset' || error.failure === 'timeout')
      ) {
        throw new PveUncertainWriteError(method, path, error.message, { cause: error })
      }
      throw error
    }
    if (response.status === 200) return response.data
    const explained = explainAuthFailure(response, transport.user)
    if (explained !== undefined) throw explained
    if (!isIdempotent(method) && isUncertainAnswer(response)) {
      const reason = response.message ?? 'no answer from the API'
      throw new PveUncertainWriteError(method, path, `${response.status} ${reason}`)
    }
    if (response.status >= 502 || response.noEnvelope === true) {
      // no API method answered: a proxy, or pveproxy failing to reach the node (595/596)
      const reason = response.message ?? 'no answer from the API'
      throw new PveError('unreachable', `${method} ${path}: ${response.status} ${reason}`)
    }
    const errors = response.errors ?? {}
    const detail = Object.entries(errors)
      .map(([name, message]) => `${name}: ${message.trim()}`)
      .join('; ')
    const message = detail === '' ? (response.message ?? `HTTP ${response.status}`) : detail
    throw pveErrorFromMessage(message, { parameters: errors })
  }

  /** Task ids this driver started, newest last; a task found after an uncertain answer is
   * never one of these. */
  const knownUpids = new Set<string>()
  const remember = (upid: string): void => {
    knownUpids.add(upid)
    if (knownUpids.size > 1000) knownUpids.delete(knownUpids.values().next().value ?? '')
  }

  /**
   * Sends a task-starting call. When its answer leaves open whether it started a worker, the
   * node's task list says: the worker found is followed, as if the answer had named it; with
   * none, the call is reported failed and not repeated.
   */
  async function startTask(
    method: PveApiMethod,
    node: string,
    path: string,
    params: PveApiParams | undefined,
    worker: { type: string; id?: string },
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const sentAt = Date.now()
    try {
      return await call(method, path, params, signal)
    } catch (error) {
      if (!(error instanceof PveUncertainWriteError)) throw error
      const upid = await findStartedTask({
        node,
        ...worker,
        user: transport.user,
        sentAt,
        known: knownUpids,
        read: (readPath, readParams) => call('GET', readPath, readParams, signal),
        attempts: 5,
        pauseMs: Math.max(taskPollMs, 50) * 4,
        ...(signal === undefined ? {} : { signal }),
      })
      if (upid !== undefined) return upid
      throw new PveError(
        'unreachable',
        `${error.message}; no ${worker.type} task of ours appeared on ${node}, so it was not sent again`,
        { cause: error },
      )
    }
  }

  /** Runs a task-starting call and waits for the task to end, streaming its log lines. */
  async function runTask(
    method: PveApiMethod,
    node: string,
    path: string,
    params: PveApiParams | undefined,
    taskOptions: OperationOptions | undefined,
    worker: { type: string; id?: string },
  ): Promise<void> {
    checkNodeName(node)
    const upid = await startTask(method, node, path, params, worker, taskOptions?.signal)
    // resize answers null on PVE 7.x, where it ran synchronously
    if (upid === null) return
    if (typeof upid !== 'string') {
      throw new PveError('failed', `unexpected answer from ${method} ${path}: not a task id`)
    }
    remember(upid)
    await waitForTask({
      upid,
      node,
      pollMs: taskPollMs,
      read: (readPath, readParams) => call('GET', readPath, readParams, taskOptions?.signal),
      ...(taskOptions?.onLine === undefined ? {} : { onLine: taskOptions.onLine }),
      ...(taskOptions?.signal === undefined ? {} : { signal: taskOptions.signal }),
    })
  }

  const vmPath = (node: string, vmid: number): string => {
    checkNodeName(node)
    if (!Number.isSafeInteger(vmid) || vmid < 1) {
      throw new PveError('invalid_parameter', `vmid: ${vmid} is not a VM id`)
    }
    return `/nodes/${node}/qemu/${vmid}`
  }
  const nodePath = (node: string): string => {
    checkNodeName(node)
    return `/nodes/${node}`
  }
  const vmWorker = (type: string, vmid: number) => ({ type, id: String(vmid) })

  /** Reads the config after an uncertain PUT: true when every change is already in it. */
  async function changesApplied(
    node: string,
    vmid: number,
    params: PveApiParams,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const config = readVmConfig(
      await call('GET', `${vmPath(node, vmid)}/config`, undefined, signal),
    )
    const deleted = String(params.delete ?? '')
      .split(',')
      .filter((key) => key !== '')
    return (
      deleted.every((key) => config[key] === undefined) &&
      Object.entries(params).every(
        ([key, value]) => key === 'delete' || config[key] === String(value),
      )
    )
  }

  const restricted: RestrictedAccess = {
    user: transport.user,
    async downloadToStorage(node: string, download: StorageDownload, opts?: OperationOptions) {
      const filename = normalizeFilename(download.filename)
      const params: PveApiParams = { url: download.url, filename, content: download.content }
      if (download.checksum !== undefined) {
        params.checksum = download.checksum.digest
        params['checksum-algorithm'] = download.checksum.algorithm
      }
      checkStorageId(download.storage)
      const path = `${nodePath(node)}/storage/${download.storage}/download-url`
      await runTask('POST', node, path, params, opts, { type: 'download' })
      const volid = `${download.storage}:${download.content}/${filename}`
      checkVolumeId(volid)
      return volid
    },
  }

  return {
    description: options.description,
    user: transport.user,
    ...(isRoot ? {} : { restricted }),
    ...apiCloneOperations(runTask),

    async missingPrivileges(opts?: OperationOptions): Promise<RequiredPrivilege[]> {
      return findMissingPrivileges(
        await call('GET', '/access/permissions', undefined, opts?.signal),
      )
    },

    async resources(opts?: OperationOptions): Promise<ClusterResources> {
      return readClusterResources(await call('GET', '/cluster/resources', undefined, opts?.signal))
    },

    async nodeStatus(node: string, opts?: OperationOptions): Promise<NodeStatus> {
      return readNodeStatus(
        node,
        await call('GET', `${nodePath(node)}/status`, undefined, opts?.signal),
      )
    },

    async nodeStorages(node: string, opts?: OperationOptions): Promise<NodeStorage[]> {
      return readNodeStorages(
        await call('GET', `${nodePath(node)}/storage`, undefined, opts?.signal),
      )
    },

    async nodeBridges(node, opts) {
      const params = { type: 'any_bridge' }
      return readNodeBridges(await call('GET', `${nodePath(node)}/network`, params, opts?.signal))
    },

    async guestInterfaces(node, vmid, opts) {
      const path = `${vmPath(node, vmid)}/agent/network-get-interfaces`
      return readGuestInterfaces(await call('GET', path, undefined, opts?.signal))
    },

    async vmStatus(node: string, vmid: number, opts?: OperationOptions): Promise<VmStatus> {
      const data = await call(
        'GET',
        `${vmPath(node, vmid)}/status/current`,
        undefined,
        opts?.signal,
      )
      return readVmStatus(node, data)
    },

    async vmConfig(node: string, vmid: number, opts?: OperationOptions): Promise<VmConfig> {
      return readVmConfig(
        await call('GET', `${vmPath(node, vmid)}/config`, undefined, opts?.signal),
      )
    },

    async vmPending(node, vmid, opts) {
      return readVmPending(
        await call('GET', `${vmPath(node, vmid)}/pending`, undefined, opts?.signal),
      )
    },

    async createVm(node, vmid, config, opts) {
      const params = { vmid, ...toApiParams(config) }
      vmPath(node, vmid)
      await runTask(
        'POST',
        node,
        `${nodePath(node)}/qemu`,
        params,
        opts,
        vmWorker('qmcreate', vmid),
      )
    },

    async updateVm(node, vmid, changes, opts) {
      const path = `${vmPath(node, vmid)}/config`
      const params = toApiParams(changes)
      // storage work (imports, new disks, freeing unused ones) runs as a task: PUT would run it
      // inside the request, and pveproxy gives up on that after 30 s (pve.md §6.3, §10.7)
      if (allocatesStorage(changes)) {
        await runTask('POST', node, path, params, opts, vmWorker('qmconfig', vmid))
        return
      }
      try {
        await call('PUT', path, params, opts?.signal)
      } catch (error) {
        if (!(error instanceof PveUncertainWriteError)) throw error
        // read the state first; plain options set twice to the same values change nothing more
        if (await changesApplied(node, vmid, params, opts?.signal)) return
        await call('PUT', path, params, opts?.signal)
      }
    },

    async resizeDisk(node, vmid, disk, size, opts) {
      checkDiskKey(disk)
      checkResizeSize(size)
      const path = `${vmPath(node, vmid)}/resize`
      await runTask('PUT', node, path, { disk, size }, opts, vmWorker('resize', vmid))
    },

    async startVm(node, vmid, opts) {
      const path = `${vmPath(node, vmid)}/status/start`
      await runTask('POST', node, path, undefined, opts, vmWorker('qmstart', vmid))
    },

    async stopVm(node, vmid, opts) {
      // never skiplock, even as root: a lock belongs to a task we did not start (pve.md §10.4)
      const path = `${vmPath(node, vmid)}/status/stop`
      await runTask('POST', node, path, undefined, opts, vmWorker('qmstop', vmid))
    },

    async shutdownVm(node, vmid, opts) {
      const path = `${vmPath(node, vmid)}/status/shutdown`
      await runTask('POST', node, path, undefined, opts, vmWorker('qmshutdown', vmid))
    },

    async rebootVm(node, vmid, opts) {
      const path = `${vmPath(node, vmid)}/status/reboot`
      await runTask('POST', node, path, undefined, opts, vmWorker('qmreboot', vmid))
    },

    async destroyVm(node, vmid, opts) {
      const params = { purge: 1, 'destroy-unreferenced-disks': 1 }
      await runTask('DELETE', node, vmPath(node, vmid), params, opts, vmWorker('qmdestroy', vmid))
    },

    async migrateVm(node: string, vmid: number, target: string, opts: MigrateOptions) {
      checkNodeName(target, 'target')
      const params: PveApiParams = { target }
      if (opts.online) params.online = 1
      if (opts.withLocalDisks) params['with-local-disks'] = 1
      const path = `${vmPath(node, vmid)}/migrate`
      await runTask('POST', node, path, params, opts, vmWorker('qmigrate', vmid))
    },
  }
}

/** The name PVE stores a download under (`normalize_content_filename`, pve.md §5.2). */
function normalizeFilename(name: string): string {
  return (name.split('/').pop() ?? '').replace(/[^a-zA-Z0-9_.-]/g, '_')
}

const driveKey = /^(ide|sata|scsi|virtio|efidisk|tpmstate)\d+$/
/** `<sid>:<size>` (a new disk), `<sid>:cloudinit`, or any `import-from=` */
const allocatingValue = /^(?:[^/:\s]+:)?(?:\d+(?:\.\d+)?|cloudinit)(?:,|$)|(?:^|,)import-from=/

/** True when a change creates, imports or frees a volume: work that may outlast a request. */
export function allocatesStorage(changes: VmConfigChanges): boolean {
  return Object.entries(changes).some(([key, value]) =>
    value === null ? /^unused\d+$/.test(key) : driveKey.test(key) && allocatingValue.test(value),
  )
}

/** Config changes as API parameters: deletions gathered in `delete`, ssh keys URL-encoded. Keys
 * are checked to be config ids, so none can smuggle another parameter in. */
export function toApiParams(changes: VmConfigChanges): PveApiParams {
  const params: PveApiParams = {}
  const deleted: string[] = []
  for (const [key, value] of Object.entries(changes)) {
    checkConfigKey(key)
    if (value === null) deleted.push(key)
    // the API accepts only [-%a-zA-Z0-9_.!~*'()] here (pve.md §4.3): exactly what this encodes
    else if (key === 'sshkeys') params[key] = encodeURIComponent(value)
    else params[key] = value
  }
  if (deleted.length > 0) params.delete = deleted.join(',')
  return params
}
