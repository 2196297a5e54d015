import { PveError } from './errors.js'

// The formats of the Proxmox schema (pve-node, pve-storage-id, pve-volume-id, pve-configid,
// disk keys, resize sizes), checked once here for both drivers: whatever passes is safe to put
// into an API path, a query or a qm/pvesh argument.
const nodeName = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/
const storageId = /^[a-z][a-z0-9._-]*[a-z0-9]$/i
const volumeId = /^([a-z][a-z0-9._-]*[a-z0-9]):([^\s\0]+)$/i
const diskKey = /^(ide|sata|scsi|virtio|efidisk|tpmstate|unused)\d+$/
const resizeSize = /^\+?\d+(\.\d+)?[KMGT]?$/
const configKey = /^[a-z][a-z0-9_-]*$/

function refuse(name: string, message: string): PveError {
  return new PveError('invalid_parameter', `${name}: ${message}`, {
    parameters: { [name]: message },
  })
}

/**
 * A node name goes into API paths and qm arguments; anything but a plain host name (`../x`,
 * `a/b`, `-x`) is refused here, before it could name another path or option.
 */
export function checkNodeName(node: string, name = 'node'): void {
  if (!nodeName.test(node)) {
    throw refuse(name, 'invalid format - value does not look like a valid node name')
  }
}

/** A storage id (`local-lvm`) goes into API paths and `pvesm` arguments. */
export function checkStorageId(storage: string, name = 'storage'): void {
  if (!storageId.test(storage)) {
    throw refuse(name, `invalid format - storage ID '${storage}' contains illegal characters`)
  }
}

/** A volume id is `<storage>:<name>` (`local:import/x.qcow2`), never a path or an option. */
export function checkVolumeId(volid: string, name = 'volume'): void {
  if (!volumeId.test(volid) || volid.split(':', 2)[1]?.split('/').includes('..') === true) {
    throw refuse(name, `unable to parse volume ID '${volid}'`)
  }
}

/** Positional qm arguments must not start with `-`, or qm would read them as options. */
export function checkDiskKey(disk: string): void {
  if (!diskKey.test(disk)) throw refuse('disk', `invalid format - unknown disk '${disk}'`)
}

export function checkResizeSize(size: string): void {
  if (!resizeSize.test(size)) throw refuse('size', 'value does not match the regex pattern')
}

/** Config keys become `--<key>` or API parameters; a key holding `=`, `&` or spaces would change
 * what qm or the API parses. */
export function checkConfigKey(key: string): void {
  if (!configKey.test(key) || key === 'delete') {
    throw refuse(
      key,
      'property is not defined in schema and the schema does not allow additional properties',
    )
  }
}
