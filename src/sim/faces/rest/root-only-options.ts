import type { PveApiMethod } from '../../../pve/drivers/api/transport.js'
import type { SimParams, SimResponse } from '../../api/types.js'

/**
 * VM options qemu-server's permission check lets only `root@pam` set, because no privilege
 * covers them; an API token (even root's) gets a 500 naming the option. `ciupgrade` is among
 * them (bpg/terraform-provider-proxmox#1291). (`lock` is too on a real node; the simulator lets a
 * token set it so the shared driver contract can lock a VM through the port.)
 */
const rootOnly = ['ciupgrade', 'args', 'hookscript']

const configPaths = [/^\/nodes\/[^/]+\/qemu\/?$/, /^\/nodes\/[^/]+\/qemu\/\d+\/config\/?$/]

/** The refusal a token gets for setting a root-only option, or undefined when there is none. */
export function refuseRootOnlyOptions(
  method: PveApiMethod,
  path: string,
  params: SimParams,
): SimResponse | undefined {
  if (method !== 'POST' && method !== 'PUT') return undefined
  if (!configPaths.some((pattern) => pattern.test(path))) return undefined
  const option = rootOnly.find((name) => Object.hasOwn(params, name))
  if (option === undefined) return undefined
  return { status: 500, data: null, message: `only root can set '${option}' config` }
}
