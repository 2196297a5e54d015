/**
 * Whether an OS cloud image ships qemu-guest-agent, recognised by the image's file name (the
 * service keeps the distributions' own names; a node's `download-url` copy of Ubuntu's `.img`
 * is named `.qcow2`). From what the images hold (reference/cloud-images.md):
 * - §3.1: none of Debian's 11/12/13 images lists `qemu-guest-agent` in its package manifest;
 * - §3.2: Ubuntu's cloud images have no `qemu-guest-agent` (the noble manifest has only
 *   open-vm-tools); release names `ubuntu-<ver>-server-cloudimg-…`, daily `<codename>-server-cloudimg-…`;
 * - §3.3: Rocky's GenericCloud kickstarts (8, 9, 10) install `qemu-guest-agent`.
 * Anything else is unknown (undefined): the simulator cannot tell what is on it.
 */
export function imageShipsGuestAgent(source: string): boolean | undefined {
  const name = fileNameOf(source).toLowerCase()
  if (name.startsWith('debian-')) return false
  if (name.includes('-server-cloudimg-')) return false
  if (name.startsWith('rocky-') && name.includes('genericcloud')) return true
  return undefined
}

/** `/a/b/x.qcow2` → `x.qcow2`; `local:import/x.qcow2` → `x.qcow2`; `store:x.raw` → `x.raw`. */
function fileNameOf(source: string): string {
  const path = source.startsWith('/') ? source : source.replace(/^[\w.-]+:/, '')
  return path.slice(path.lastIndexOf('/') + 1)
}
