/**
 * The privilege qemu-server's `$check_vm_modify_config_perm` asks for each VM option (PVE 8.1+,
 * PVE/API2/Qemu.pm: `$cpuoptions`, `$memoryoptions`, `$hwtypeoptions`, `$generaloptions`,
 * `$vmpoweroptions`, `$diskoptions`, `$cloudinitoptions`). An option in none of them is
 * root-only (`args`, `hookscript`, `lock`, ...). Since qemu-server 8.0.7 `ciupgrade` is a
 * cloud-init option like the others (pve.md §10.6).
 */
const groups: { keys: readonly string[]; pattern?: RegExp; privileges: string[]; any?: true }[] = [
  {
    keys: ['cores', 'cpu', 'cpulimit', 'cpuunits', 'numa', 'smp', 'sockets', 'vcpus', 'affinity'],
    pattern: /^numa\d+$/,
    privileges: ['VM.Config.CPU'],
  },
  { keys: ['memory', 'balloon', 'shares'], privileges: ['VM.Config.Memory'] },
  {
    keys: [
      'acpi',
      'hotplug',
      'kvm',
      'machine',
      'scsihw',
      'smbios1',
      'tablet',
      'vga',
      'watchdog',
      'audio0',
    ],
    privileges: ['VM.Config.HWType'],
  },
  {
    keys: [
      'agent',
      'autostart',
      'bios',
      'description',
      'keyboard',
      'localtime',
      'migrate_downtime',
      'migrate_speed',
      'name',
      'onboot',
      'ostype',
      'protection',
      'reboot',
      'startdate',
      'startup',
      'tdf',
      'template',
    ],
    privileges: ['VM.Config.Options'],
  },
  { keys: ['freeze'], privileges: ['VM.PowerMgmt'] },
  { keys: ['boot', 'bootdisk', 'vmstatestorage'], privileges: ['VM.Config.Disk'] },
  { keys: [], pattern: /^net\d+$/, privileges: ['VM.Config.Network'] },
  {
    keys: [
      'cicustom',
      'cipassword',
      'citype',
      'ciuser',
      'ciupgrade',
      'nameserver',
      'searchdomain',
      'sshkeys',
    ],
    pattern: /^ipconfig\d+$/,
    privileges: ['VM.Config.Cloudinit', 'VM.Config.Network'],
    any: true,
  },
  { keys: ['vmstate'], privileges: ['VM.Config.Disk', 'VM.PowerMgmt'] },
]

/** What setting `key` needs on `/vms/<vmid>` (all of them, or any one), or undefined when only
 * root may set it. */
export function configOptionPrivileges(
  key: string,
): { privileges: readonly string[]; any: boolean } | undefined {
  const group = groups.find((g) => g.keys.includes(key) || g.pattern?.test(key) === true)
  return group === undefined ? undefined : { privileges: group.privileges, any: group.any === true }
}
