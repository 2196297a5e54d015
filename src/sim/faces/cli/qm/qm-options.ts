import { configKeySpec } from '../../../vm-config/schema.js'
import { optionTable, type OptionKind, type OptionTable } from '../getopt.js'

/** VM config keys qm knows as options (qemu-server's `$confdesc`), without the indexed ones. */
const fixedConfigKeys = [
  'acpi',
  'affinity',
  'agent',
  'amd-sev',
  'arch',
  'args',
  'audio0',
  'autostart',
  'balloon',
  'bios',
  'boot',
  'bootdisk',
  'cdrom',
  'cicustom',
  'cipassword',
  'citype',
  'ciupgrade',
  'ciuser',
  'cores',
  'cpu',
  'cpulimit',
  'cpuunits',
  'description',
  'efidisk0',
  'freeze',
  'hookscript',
  'hotplug',
  'hugepages',
  'keephugepages',
  'keyboard',
  'kvm',
  'localtime',
  'lock',
  'machine',
  'memory',
  'meta',
  'migrate_downtime',
  'migrate_speed',
  'name',
  'nameserver',
  'numa',
  'onboot',
  'ostype',
  'protection',
  'reboot',
  'rng0',
  'scsihw',
  'searchdomain',
  'shares',
  'smbios1',
  'smp',
  'sockets',
  'spice_enhancements',
  'sshkeys',
  'startdate',
  'startup',
  'tablet',
  'tags',
  'tdf',
  'template',
  'tpmstate0',
  'vcpus',
  'vga',
  'vmgenid',
  'vmstatestorage',
  'watchdog',
]

/** Indexed families and their highest index. */
const indexedConfigKeys: Record<string, number> = {
  ide: 3,
  sata: 5,
  scsi: 30,
  virtio: 15,
  net: 31,
  ipconfig: 31,
  unused: 255,
  serial: 3,
  parallel: 2,
  usb: 14,
  hostpci: 15,
  numa: 7,
  virtiofs: 9,
}

const configKeys: readonly string[] = [
  ...fixedConfigKeys,
  ...Object.entries(indexedConfigKeys).flatMap(([prefix, max]) =>
    Array.from({ length: max + 1 }, (_, index) => `${prefix}${index}`),
  ),
]

/** The options of `qm create`/`qm set`: every config key plus the command's own. */
export function configOptions(extra: Record<string, OptionKind>): OptionTable {
  const kinds: Record<string, OptionKind> = {}
  for (const key of configKeys)
    kinds[key] = configKeySpec(key)?.type === 'boolean' ? 'boolean' : 'string'
  return optionTable({ ...kinds, ...extra })
}

export const createOptions = configOptions({
  storage: 'string',
  start: 'boolean',
  pool: 'string',
  unique: 'boolean',
  'live-restore': 'boolean',
  'ha-managed': 'boolean',
  'import-working-storage': 'string',
  archive: 'string',
  force: 'boolean',
  bwlimit: 'string',
})

export const setOptions = configOptions({
  delete: 'list',
  revert: 'list',
  digest: 'string',
  skiplock: 'boolean',
  force: 'boolean',
})
