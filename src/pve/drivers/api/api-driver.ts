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
import { PveError, pveErrorFromMessage } from '../../errors.js'
import {
  readClusterResources,
  readNodeStatus,
  readNodeStorages,
  readVmConfig,
  readVmStatus,
} from '../../read/index.js'
import { apiCloneOperations } from './clone.js'
import { readVmPending } from '../../read/pending.js'
import { explainAuthFailure } from './explain-auth-failure.js'
import { findMissingPrivileges, type RequiredPrivilege } from './required-privileges.js'
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
    const response = await transport.request({
      method,
      path,
      ...(params === undefined ? {} : { params }),
      ...(signal === undefined ? {} : { signal }),
    })
    if (response.status === 200) return response.data
    const explained = explainAuthFailure(response, transport.user)
    if (explained !== undefined) throw explained
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

  /** Runs a task-starting call and waits for the task to end, streaming its log lines. */
  async function runTask(
    method: PveApiMethod,
    node: string,
    path: string,
    params: PveApiParams | undefined,
    taskOptions: OperationOptions | undefined,
  ): Promise<void> {
    const upid = await call(method, path, params, taskOptions?.signal)
    // resize answers null on PVE 7.x, where it ran synchronously
    if (upid === null) return
    if (typeof upid !== 'string') {
      throw new PveError('failed', `unexpected answer from ${method} ${path}: not a task id`)
    }
    await waitForTask({
      upid,
      node,
      pollMs: taskPollMs,
      read: (readPath, readParams) => call('GET', readPath, readParams, taskOptions?.signal),
      ...(taskOptions?.onLine === undefined ? {} : { onLine: taskOptions.onLine }),
      ...(taskOptions?.signal === undefined ? {} : { signal: taskOptions.signal }),
    })
  }

  const vmPath = (node: string, vmid: number): string => `/nodes/${node}/qemu/${vmid}`

  const restricted: RestrictedAccess = {
    user: transport.user,
    async downloadToStorage(node: string, download: StorageDownload, opts?: OperationOptions) {
      const filename = normalizeFilename(download.filename)
      const params: PveApiParams = { url: download.url, filename, content: download.content }
      if (download.checksum !== undefined) {
        params.checksum = download.checksum.digest
        params['checksum-algorithm'] = download.checksum.algorithm
      }
      const path = `/nodes/${node}/storage/${download.storage}/download-url`
      await runTask('POST', node, path, params, opts)
      return `${download.storage}:${download.content}/${filename}`
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
        await call('GET', `/nodes/${node}/status`, undefined, opts?.signal),
      )
    },

    async nodeStorages(node: string, opts?: OperationOptions): Promise<NodeStorage[]> {
      return readNodeStorages(await call('GET', `/nodes/${node}/storage`, undefined, opts?.signal))
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
      await runTask('POST', node, `/nodes/${node}/qemu`, params, opts)
    },

    async updateVm(node, vmid, changes, opts) {
      await call('PUT', `${vmPath(node, vmid)}/config`, toApiParams(changes), opts?.signal)
    },

    async resizeDisk(node, vmid, disk, size, opts) {
      await runTask('PUT', node, `${vmPath(node, vmid)}/resize`, { disk, size }, opts)
    },

    async startVm(node, vmid, opts) {
      await runTask('POST', node, `${vmPath(node, vmid)}/status/start`, undefined, opts)
    },

    async stopVm(node, vmid, opts) {
      // never skiplock, even as root: a lock belongs to a task we did not start (pve.md §10.4)
      await runTask('POST', node, `${vmPath(node, vmid)}/status/stop`, undefined, opts)
    },

    async shutdownVm(node, vmid, opts) {
      await runTask('POST', node, `${vmPath(node, vmid)}/status/shutdown`, undefined, opts)
    },

    async rebootVm(node, vmid, opts) {
      await runTask('POST', node, `${vmPath(node, vmid)}/status/reboot`, undefined, opts)
    },

    async destroyVm(node, vmid, opts) {
      const params = { purge: 1, 'destroy-unreferenced-disks': 1 }
      await runTask('DELETE', node, vmPath(node, vmid), params, opts)
    },

    async migrateVm(node: string, vmid: number, target: string, opts: MigrateOptions) {
      const params: PveApiParams = { target }
      if (opts.online) params.online = 1
      if (opts.withLocalDisks) params['with-local-disks'] = 1
      await runTask('POST', node, `${vmPath(node, vmid)}/migrate`, params, opts)
    },
  }
}

/** The name PVE stores a download under (`normalize_content_filename`, pve.md §5.2). */
function normalizeFilename(name: string): string {
  return (name.split('/').pop() ?? '').replace(/[^a-zA-Z0-9_.-]/g, '_')
}

/** Config changes as API parameters: deletions gathered in `delete`, ssh keys URL-encoded. */
export function toApiParams(changes: VmConfigChanges): PveApiParams {
  const params: PveApiParams = {}
  const deleted: string[] = []
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) deleted.push(key)
    // the API accepts only [-%a-zA-Z0-9_.!~*'()] here (pve.md §4.3): exactly what this encodes
    else if (key === 'sshkeys') params[key] = encodeURIComponent(value)
    else params[key] = value
  }
  if (deleted.length > 0) params.delete = deleted.join(',')
  return params
}
