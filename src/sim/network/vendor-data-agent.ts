import type { SimContext } from '../context.js'
import { cicustomVolids, findSnippet } from '../state/snippets.js'
import type { SimVm } from '../state/types.js'

/**
 * Whether cloud-init installs qemu-guest-agent from the VM's vendor-data: `cicustom` names a
 * `vendor=` snippet on the VM's node whose text mentions `qemu-guest-agent` (the simulator reads
 * no YAML: a snippet that installs the package names it, as `packages: [qemu-guest-agent]` does).
 * A start with a missing snippet fails (`can't find file`), so a running VM had it at boot.
 */
export function vendorDataInstallsAgent(sim: SimContext, vm: SimVm): boolean {
  const volid = cicustomVolids(vm.config).get('vendor')
  if (volid === undefined || volid === '') return false
  return findSnippet(sim, vm.node, volid)?.text?.includes('qemu-guest-agent') === true
}
