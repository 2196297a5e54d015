import { isIP } from 'node:net'
import type { ParamSpec } from '../api/params.js'
import { isDriveKey, isUnusedKey, parseDrive } from './drive.js'
import { parsePropertyString } from './property-string.js'
import type { PropertyFormat } from './property-string.js'
import { normalizeNet } from './net.js'
import { sshkeysFormat } from './sshkeys.js'
import { normalizeTags } from './tags.js'

const dnsName = (value: string): string | undefined =>
  /^(?=.{1,255}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/.test(
    value,
  )
    ? undefined
    : 'value does not look like a valid DNS name'

const propertyCheck =
  (format: PropertyFormat) =>
  (name: string) =>
  (value: string): Record<string, string> | undefined => {
    const parsed = parsePropertyString(name, value, format)
    return parsed.ok ? undefined : parsed.errors
  }

const memoryFormat: PropertyFormat = {
  defaultKey: 'current',
  keys: { current: { type: 'int', minimum: 16 } },
}
const agentFormat: PropertyFormat = {
  defaultKey: 'enabled',
  keys: {
    enabled: { type: 'bool' },
    fstrim_cloned_disks: { type: 'bool' },
    'freeze-fs-on-backup': { type: 'bool' },
    type: { type: 'enum', values: ['virtio', 'isa'] },
  },
}
const vgaFormat: PropertyFormat = {
  defaultKey: 'type',
  keys: {
    type: {
      type: 'enum',
      values: [
        'cirrus',
        'none',
        'qxl',
        'qxl2',
        'qxl3',
        'qxl4',
        'serial0',
        'serial1',
        'serial2',
        'serial3',
        'std',
        'virtio',
        'virtio-gl',
        'vmware',
      ],
    },
    memory: { type: 'int', minimum: 4 },
    clipboard: { type: 'enum', values: ['vnc'] },
  },
}
const cpuFormat: PropertyFormat = {
  defaultKey: 'cputype',
  keys: {
    cputype: { type: 'pattern', pattern: /^[\w.+-]+$/ },
    flags: { type: 'any' },
    hidden: { type: 'bool' },
    'hv-vendor-id': { type: 'any' },
    'phys-bits': { type: 'any' },
    'reported-model': { type: 'any' },
  },
}
/** pve-common PVE/JSONSchema.pm: `pve-ipv4-config`, `pve-ipv6-config`, `ipv4`, `ipv6` (a CIDR's
 * prefix length must be above 7) */
const cidrWithin = (value: string, family: 4 | 6): boolean => {
  const match = /^([^/]+)\/(\d+)$/.exec(value)
  if (match === null) return false
  const length = Number(match[2])
  return isIP(match[1] ?? '') === family && length > 7 && length <= (family === 4 ? 32 : 128)
}
const ipconfigFormat: PropertyFormat = {
  keys: {
    ip: {
      type: 'format',
      check: (v) =>
        /^(?:dhcp|manual)$/.test(v) || cidrWithin(v, 4)
          ? undefined
          : 'value does not look like a valid ipv4 network configuration',
    },
    gw: {
      type: 'format',
      check: (v) => (isIP(v) === 4 ? undefined : 'value does not look like a valid IPv4 address'),
    },
    ip6: {
      type: 'format',
      check: (v) =>
        /^(?:auto|dhcp|manual)$/.test(v) || cidrWithin(v, 6)
          ? undefined
          : 'value does not look like a valid ipv6 network configuration',
    },
    gw6: {
      type: 'format',
      check: (v) => (isIP(v) === 6 ? undefined : 'value does not look like a valid IPv6 address'),
    },
  },
}
const bootFormat: PropertyFormat = {
  defaultKey: 'legacy',
  keys: {
    order: { type: 'pattern', pattern: /^[\w;]*$/ },
    legacy: { type: 'pattern', pattern: /^[acdn]{1,4}$/ },
  },
}
export const cicustomFormat: PropertyFormat = {
  keys: {
    user: { type: 'any' },
    network: { type: 'any' },
    meta: { type: 'any' },
    vendor: { type: 'any' },
  },
}

const str = (extra: Partial<ParamSpec> = {}): ParamSpec => ({
  type: 'string',
  optional: true,
  ...extra,
})
const int = (minimum?: number, maximum?: number): ParamSpec => ({
  type: 'integer',
  optional: true,
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
})
const bool: ParamSpec = { type: 'boolean', optional: true }

/** Every fixed (non-indexed) key of a VM config the simulator knows, with its check. */
const fixedKeys: Record<string, ParamSpec> = {
  name: str({ format: dnsName }),
  description: str({ maxLength: 8192 }),
  memory: str({ propertyString: propertyCheck(memoryFormat)('memory') }),
  balloon: int(0),
  shares: int(0, 50000),
  cores: int(1),
  sockets: int(1),
  vcpus: int(1),
  cpu: str({ propertyString: propertyCheck(cpuFormat)('cpu') }),
  cpulimit: { type: 'number', optional: true, minimum: 0, maximum: 128 },
  cpuunits: int(1, 262144),
  numa: bool,
  agent: str({ propertyString: propertyCheck(agentFormat)('agent') }),
  ostype: str({
    enum: [
      'other',
      'wxp',
      'w2k',
      'w2k3',
      'w2k8',
      'wvista',
      'win7',
      'win8',
      'win10',
      'win11',
      'l24',
      'l26',
      'solaris',
    ],
  }),
  vga: str({ propertyString: propertyCheck(vgaFormat)('vga') }),
  boot: str({ propertyString: propertyCheck(bootFormat)('boot') }),
  bootdisk: str({ pattern: /^(ide|sata|scsi|virtio)\d+$/ }),
  scsihw: str({
    enum: ['lsi', 'lsi53c810', 'virtio-scsi-pci', 'virtio-scsi-single', 'megasas', 'pvscsi'],
  }),
  bios: str({ enum: ['seabios', 'ovmf'] }),
  machine: str({ pattern: /^[\w.+,=-]+$/ }),
  kvm: bool,
  acpi: bool,
  tablet: bool,
  localtime: bool,
  onboot: bool,
  protection: bool,
  template: bool,
  hotplug: str(),
  startup: str(),
  keyboard: str(),
  hookscript: str(),
  tags: str({
    format: (value) => {
      const r = normalizeTags(value)
      return r.ok ? undefined : r.reason
    },
  }),
  lock: str({
    enum: [
      'backup',
      'clone',
      'create',
      'migrate',
      'rollback',
      'snapshot',
      'snapshot-delete',
      'suspending',
      'suspended',
    ],
  }),
  ciuser: str(),
  cipassword: str(),
  citype: str({ enum: ['configdrive2', 'nocloud', 'opennebula'] }),
  ciupgrade: bool,
  cicustom: str({ propertyString: propertyCheck(cicustomFormat)('cicustom') }),
  sshkeys: str({ format: sshkeysFormat }),
  nameserver: str(),
  searchdomain: str(),
  smbios1: str(),
  vmgenid: str(),
  meta: str(),
  efidisk0: str(),
  tpmstate0: str(),
  rng0: str(),
  watchdog: str(),
}

/** Config keys whose JSON type is a number (integers and booleans, pve.md §1.2). */
const numericKeys = new Set(
  Object.entries(fixedKeys)
    .filter(([, spec]) => spec.type === 'integer' || spec.type === 'boolean')
    .map(([key]) => key),
)

function indexed(prefix: string, max: number, key: string): number | undefined {
  const match = new RegExp(`^${prefix}(\\d+)$`).exec(key)
  if (!match) return undefined
  const index = Number(match[1])
  return index <= max && String(index) === match[1] ? index : undefined
}

/** The check for one config key, or undefined for a key PVE's schema does not define. */
export function configKeySpec(key: string): ParamSpec | undefined {
  if (Object.hasOwn(fixedKeys, key)) return fixedKeys[key]
  if (isDriveKey(key) || isUnusedKey(key)) {
    return str({
      propertyString: (value) => {
        const parsed = parseDrive(key, value)
        return parsed.ok ? undefined : parsed.errors
      },
    })
  }
  if (indexed('net', 31, key) !== undefined) {
    return str({
      propertyString: (value) => {
        const parsed = normalizeNet(key, value)
        return parsed.ok ? undefined : parsed.errors
      },
    })
  }
  if (indexed('ipconfig', 31, key) !== undefined) {
    return str({ propertyString: propertyCheck(ipconfigFormat)(key) })
  }
  if (indexed('serial', 3, key) !== undefined) {
    return str({ pattern: /^(\/dev\/.+|socket)$/ })
  }
  if (indexed('hostpci', 15, key) !== undefined || indexed('usb', 14, key) !== undefined)
    return str()
  return undefined
}

/** A config value in the JSON type PVE returns it as: integers and booleans as numbers. */
export function configValueToJson(key: string, value: string): string | number {
  if (numericKeys.has(key) && /^-?\d+$/.test(value)) return Number(value)
  return value
}
