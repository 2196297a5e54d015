/** One privilege the service's API token needs, where PVE checks it, and what for. */
export interface RequiredPrivilege {
  privilege: string
  /** the ACL path PVE checks it on (the role is usually granted on `/`) */
  path: string
  /** what the service cannot do without it */
  usedFor: string
}

/**
 * Exactly the privileges the service uses over the REST API. The README lists them with the
 * `pveum` commands that create a role holding them; the driver checks them at start.
 */
export const requiredPrivileges: readonly RequiredPrivilege[] = [
  { privilege: 'Sys.Audit', path: '/nodes', usedFor: 'reading nodes and their status' },
  {
    privilege: 'Sys.AccessNetwork',
    path: '/nodes',
    usedFor: 'letting a node download cloud images (download-url)',
  },
  { privilege: 'Datastore.Audit', path: '/storage', usedFor: 'reading storages' },
  {
    privilege: 'Datastore.AllocateSpace',
    path: '/storage',
    usedFor: 'allocating disks and reading imported images',
  },
  {
    privilege: 'Datastore.AllocateTemplate',
    path: '/storage',
    usedFor: 'downloading cloud images to an import storage',
  },
  { privilege: 'SDN.Use', path: '/sdn/zones', usedFor: 'attaching VMs to the bridge' },
  { privilege: 'VM.Audit', path: '/vms', usedFor: 'reading VM status and configuration' },
  { privilege: 'VM.Allocate', path: '/vms', usedFor: 'creating and destroying VMs' },
  { privilege: 'VM.Config.CPU', path: '/vms', usedFor: 'setting cores and CPU type' },
  { privilege: 'VM.Config.Memory', path: '/vms', usedFor: 'setting memory and balloon' },
  { privilege: 'VM.Config.Disk', path: '/vms', usedFor: 'importing and growing disks' },
  { privilege: 'VM.Config.CDROM', path: '/vms', usedFor: 'attaching the cloud-init drive' },
  { privilege: 'VM.Config.Network', path: '/vms', usedFor: 'adding the network card' },
  {
    privilege: 'VM.Config.HWType',
    path: '/vms',
    usedFor: 'setting the SCSI controller, serial console and display',
  },
  {
    privilege: 'VM.Config.Options',
    path: '/vms',
    usedFor: 'setting name, OS type, tags, agent and boot order',
  },
  {
    privilege: 'VM.Config.Cloudinit',
    path: '/vms',
    usedFor: 'setting the user, SSH keys, password and address',
  },
  { privilege: 'VM.PowerMgmt', path: '/vms', usedFor: 'starting, stopping and rebooting VMs' },
  { privilege: 'VM.Migrate', path: '/vms', usedFor: 'moving VMs between nodes' },
  { privilege: 'VM.Clone', path: '/vms', usedFor: 'linked clones of the cached OS templates' },
]

/** The privileges of {@link requiredPrivileges}, space-separated, for `pveum role add`. */
export function privilegeList(): string {
  return requiredPrivileges.map((entry) => entry.privilege).join(' ')
}

/**
 * Which required privileges `GET /access/permissions` shows nowhere. A privilege granted on any
 * path counts as held: a token limited to a pool or to some storages is still allowed, and a
 * call outside its reach gets PVE's own 403, which the driver explains.
 */
export function findMissingPrivileges(permissions: unknown): RequiredPrivilege[] {
  const held = new Set<string>()
  if (typeof permissions === 'object' && permissions !== null) {
    const paths: [string, unknown][] = Object.entries(permissions)
    for (const [, privileges] of paths) {
      if (typeof privileges !== 'object' || privileges === null) continue
      for (const name of Object.keys(privileges)) held.add(name)
    }
  }
  return requiredPrivileges.filter((entry) => !held.has(entry.privilege))
}
