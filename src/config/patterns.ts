/** A Proxmox node name: a host name label (Proxmox's `pve-node` format). */
export const nodeNamePattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

/** What {@link nodeNamePattern} accepts, in words for a problem message. */
export const nodeNameRule = 'a Proxmox node name (letters, digits and inner hyphens)'

/** A Proxmox storage id (Proxmox's `pve-storage-id` format). */
export const storageIdPattern = /^[a-z][a-z0-9._-]*[a-z0-9]$/

/** A host name to listen on, such as `localhost`. */
export const hostNamePattern =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

/**
 * A volume on a storage's `snippets` directory, `<storage id>:snippets/<file>`: qemu-server reads
 * only such a volume for `cicustom` (PVE/QemuServer/Cloudinit.pm, `read_cloudinit_snippets_file`;
 * a dir storage's volname is `snippets/<name without slash>`, pve-storage PVE/Storage/Plugin.pm
 * `parse_volname`). The file name is kept to letters, digits, `.`, `_` and `-`: a comma or `=`
 * would break the `cicustom` property string it is written into.
 */
export const snippetVolidPattern =
  /^[a-z][a-z0-9._-]*[a-z0-9]:snippets\/[A-Za-z0-9_][A-Za-z0-9._-]*$/
