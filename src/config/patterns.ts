/** A Proxmox node name: a host name label (Proxmox's `pve-node` format). */
export const nodeNamePattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

/** What {@link nodeNamePattern} accepts, in words for a problem message. */
export const nodeNameRule = 'a Proxmox node name (letters, digits and inner hyphens)'

/** A Proxmox storage id (Proxmox's `pve-storage-id` format). */
export const storageIdPattern = /^[a-z][a-z0-9._-]*[a-z0-9]$/

/** A host name to listen on, such as `localhost`. */
export const hostNamePattern =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
