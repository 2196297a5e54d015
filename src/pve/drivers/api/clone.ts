import type { CloneOptions, Cluster, OperationOptions } from '../../cluster.js'
import type { PveApiMethod, PveApiParams } from './transport.js'

/** Starts a task over the API and follows it to its end (the api driver's `runTask`). */
export type TaskRunner = (
  method: PveApiMethod,
  node: string,
  path: string,
  params: PveApiParams | undefined,
  options: OperationOptions | undefined,
  /** the worker the call starts, found in the node's task list when the answer was lost */
  worker: { type: string; id?: string },
) => Promise<void>

/** `POST …/clone` and `POST …/template` (pve.md §5.3, §6.3): both return a UPID. */
export function apiCloneOperations(runTask: TaskRunner): Pick<Cluster, 'cloneVm' | 'templateVm'> {
  const vmPath = (node: string, vmid: number): string => `/nodes/${node}/qemu/${vmid}`
  return {
    async cloneVm(node, vmid, newid, options: CloneOptions) {
      const params: PveApiParams = { newid, full: options.full ? 1 : 0 }
      if (options.name !== undefined) params.name = options.name
      if (options.description !== undefined) params.description = options.description
      if (options.target !== undefined && options.target !== node) params.target = options.target
      await runTask('POST', node, `${vmPath(node, vmid)}/clone`, params, options, {
        type: 'qmclone',
        id: String(vmid),
      })
    },
    async templateVm(node, vmid, options) {
      await runTask('POST', node, `${vmPath(node, vmid)}/template`, undefined, options, {
        type: 'qmtemplate',
        id: String(vmid),
      })
    },
  }
}
