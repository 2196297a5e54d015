import { PveError } from '../../errors.js'

// The patterns of pve.md and the Proxmox schema (pve-node, disk keys, resize sizes, config keys).
const nodeName = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/
const diskKey = /^(ide|sata|scsi|virtio|efidisk|tpmstate|unused)\d+$/
const resizeSize = /^\+?\d+(\.\d+)?[KMGT]?$/
const configKey = /^[a-z][a-z0-9_-]*$/

function refuse(name: string, message: string): PveError {
  return new PveError('invalid_parameter', `${name}: ${message}`, {
    parameters: { [name]: message },
  })
}

/**
 * A node name goes into API paths and qm arguments; anything but a plain host name is refused
 * here, before it could name another path.
 */
export function checkNodeName(node: string, name = 'node'): void {
  if (!nodeName.test(node)) {
    throw refuse(name, 'invalid format - value does not look like a valid node name')
  }
}

/** Positional qm arguments must not start with `-`, or qm would read them as options. */
export function checkDiskKey(disk: string): void {
  if (!diskKey.test(disk)) throw refuse('disk', `invalid format - unknown disk '${disk}'`)
}

export function checkResizeSize(size: string): void {
  if (!resizeSize.test(size)) throw refuse('size', 'value does not match the regex pattern')
}

/** Config keys become `--<key>`; a key holding `=` or spaces would change what qm parses. */
export function checkConfigKey(key: string): void {
  if (!configKey.test(key) || key === 'delete') {
    throw refuse(
      key,
      'property is not defined in schema and the schema does not allow additional properties',
    )
  }
}
