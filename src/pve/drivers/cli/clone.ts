import type { RunResult } from '../../../exec/index.js'
import type { CloneOptions, Cluster, OperationOptions } from '../../cluster.js'
import { checkNodeName } from '../../check-names.js'
import { parseToolError, toolErrorToPveError } from './parse/tool-error.js'
import type { ToolRunOptions } from './run-tool.js'

/** Runs `qm <args>` on a node as the cli driver does. */
export type QmRunner = (
  node: string,
  args: string[],
  options?: ToolRunOptions,
) => Promise<RunResult>

/**
 * `qm clone` and `qm template` for the cli driver. `qm clone` exits 255 when its task fails;
 * `qm template` exits 0 even then, with the error only on stderr (pve.md §0.3), so that is read.
 */
export function cliCloneOperations(qm: QmRunner): Pick<Cluster, 'cloneVm' | 'templateVm'> {
  return {
    async cloneVm(node, vmid, newid, options: CloneOptions) {
      const args = ['clone', String(vmid), String(newid), '--full', options.full ? '1' : '0']
      if (options.name !== undefined) args.push('--name', options.name)
      if (options.description !== undefined) args.push('--description', options.description)
      if (options.target !== undefined && options.target !== node) {
        checkNodeName(options.target, 'target')
        args.push('--target', options.target)
      }
      await qm(node, args, runOptions(options))
    },
    async templateVm(node, vmid, options?: OperationOptions) {
      const result = await qm(node, ['template', String(vmid)], runOptions(options))
      const failure = parseToolError(result.stderr)
      if (failure.message !== '') throw toolErrorToPveError(failure, 'qm template failed')
    },
  }
}

function runOptions(options: OperationOptions | undefined): ToolRunOptions {
  return {
    ...(options?.signal === undefined ? {} : { signal: options.signal }),
    ...(options?.onLine === undefined ? {} : { onLine: options.onLine }),
  }
}
