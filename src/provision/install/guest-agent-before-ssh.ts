import type { OsRelease } from '../../images/os-catalog.js'
import type { VmNetwork } from '../../networks/index.js'
import type { Cluster } from '../../pve/cluster.js'
import { InvalidInputError } from '../errors.js'
import type { InstallDeps } from './deps.js'

/** The README section that tells an admin how to write the snippet. */
const vendorSnippetSection = 'A guest agent for Debian and Ubuntu on DHCP'

/**
 * The snippet an install sets as `cicustom: vendor=<volid>` (GUEST_AGENT_VENDOR_DATA): only where
 * the VM's IPv4 address comes from DHCP and its image has no qemu-guest-agent, so the agent is
 * there to tell the lease before SSH. Nowhere else: apt at first boot makes the boot slower, and
 * a vendor snippet replaces PVE's own generated vendor-data (qemu-server
 * PVE/QemuServer/Cloudinit.pm, `generate_nocloud`), which only carries `ciupgrade`, off anyway.
 */
export function vendorDataFor(
  deps: Pick<InstallDeps, 'guestAgentVendorData'>,
  network: VmNetwork,
  release: OsRelease,
): string | undefined {
  return agentNeededBeforeSsh(network, release) ? deps.guestAgentVendorData : undefined
}

/**
 * The agent must answer before SSH (the address is a DHCP lease only it can tell), and the
 * image has none: Debian's and Ubuntu's (the first-boot script installs it, over that SSH).
 */
function agentNeededBeforeSsh(network: VmNetwork, release: OsRelease): boolean {
  return network.ipv4.mode === 'dhcp' && !release.shipsGuestAgent
}

/**
 * An install on a DHCP network is reached over SSH at the lease its guest agent reports, so the
 * agent must run before the first-boot script can: Debian's and Ubuntu's images ship none (the
 * script installs it, over that same SSH). Refused before anything is made, naming `network`,
 * instead of a VM waiting GUEST_SSH_TIMEOUT for an answer that cannot come.
 */
export function checkAddressLearnable(
  network: VmNetwork,
  release: OsRelease,
  vendorData: string | undefined,
): void {
  // GUEST_AGENT_VENDOR_DATA: cloud-init installs the agent at first boot, before SSH
  if (!agentNeededBeforeSsh(network, release) || vendorData !== undefined) return
  throw new InvalidInputError(
    'network',
    `network ${network.name} gives the VM its IPv4 address by DHCP, which only the guest agent can tell, and the ${release.os} ${release.version} cloud image has no qemu-guest-agent (the first-boot script installs it, over SSH to that address): use a network with static addresses, or an OS whose image has the agent (rockylinux), or set GUEST_AGENT_VENDOR_DATA to a cloud-init vendor snippet that installs qemu-guest-agent (README: ${vendorSnippetSection})`,
  )
}

/**
 * Before anything is made: the snippet's storage exists on the node the VM first starts on, is
 * enabled and has the `snippets` content type. Whether the file itself is there cannot be read
 * through the cluster port: Proxmox's start refuses a missing one (`can't find file '<volid>'`,
 * pve-storage PVE/Storage.pm `abs_filesystem_path`) and the install rolls back. Refusals are
 * 400s naming `network`, saying what to enable.
 */
export async function checkVendorSnippetStorage(
  deps: { cluster: Pick<Cluster, 'nodeStorages'> },
  network: VmNetwork,
  volid: string,
  node: string,
  signal?: AbortSignal,
): Promise<void> {
  const storageId = volid.slice(0, volid.indexOf(':'))
  const storages = await deps.cluster.nodeStorages(node, signal === undefined ? {} : { signal })
  const storage = storages.find((entry) => entry.storage === storageId)
  const why = `network ${network.name} leaves the VM's IPv4 address to DHCP, and its guest agent comes from the vendor snippet ${volid} (GUEST_AGENT_VENDOR_DATA)`
  if (storage === undefined)
    throw new InvalidInputError(
      'network',
      // GET /nodes/{node}/storage leaves out what an API token may not see (pve-storage
      // PVE/API2/Storage/Status.pm `index`: Datastore.Audit or Datastore.AllocateSpace)
      `${why}, but storage ${storageId} does not exist on ${node}, where the VM starts (or the API token cannot see it: Datastore.Audit or Datastore.AllocateSpace on /storage/${storageId}): add it there (or use shared storage), or set GUEST_AGENT_VENDOR_DATA to a storage of ${node}`,
    )
  if (!storage.enabled)
    throw new InvalidInputError(
      'network',
      `${why}, but storage ${storageId} on ${node} is disabled: pvesm set ${storageId} --disable 0`,
    )
  if (!storage.content.includes('snippets')) {
    const content = [...storage.content.filter((type) => type !== ''), 'snippets'].join(',')
    throw new InvalidInputError(
      'network',
      `${why}, but storage ${storageId} on ${node} has no snippets content type: pvesm set ${storageId} --content ${content}`,
    )
  }
}
