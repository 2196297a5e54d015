/** One privilege the service's API token needs, where PVE checks it, and what for. */
export interface RequiredPrivilege {
  privilege: string
  /** the ACL path PVE checks it on (the role is usually granted on `/`) */
  path: string
  /** what the service cannot do without it */
  usedFor: string
}

/**
 * What one call of the service needs, as the endpoint's `check =>` (or its code) says: any one of
 * `anyOf`, where each alternative is a set of privileges held together on `path`.
 */
export interface PrivilegeNeed {
  /** the call, e.g. `POST /nodes/{node}/qemu` */
  call: string
  /** what for, in the README's words */
  usedFor: string
  path: string
  /** alternatives: one of them, all of its privileges */
  anyOf: readonly (readonly string[])[]
  /** where Proxmox says so */
  source: string
}

const one = (privilege: string): readonly (readonly string[])[] => [[privilege]]

/**
 * Every check the calls of the service meet on a PVE 8.4/9 node, from the sources (checked with
 * `search` against qemu-server PVE/API2/Qemu.pm, pve-storage PVE/Storage.pm and
 * PVE/API2/Storage/Status.pm, pve-manager PVE/API2/Nodes.pm and Tasks.pm). Calls with
 * `user => 'all'` and no check in their code (task status and log of our own tasks, the task
 * list, `/cluster/resources`, `/access/permissions`) need nothing.
 */
export const privilegeNeeds: readonly PrivilegeNeed[] = [
  {
    call: 'GET /nodes/{node}/status',
    usedFor: 'reading nodes and their status',
    path: '/nodes/{node}',
    anyOf: one('Sys.Audit'),
    source: "pve-manager Nodes.pm status: check => ['perm', '/nodes/{node}', ['Sys.Audit']]",
  },
  {
    call: 'POST /nodes/{node}/storage/{storage}/download-url',
    usedFor: 'letting a node download cloud images (download-url)',
    path: '/nodes/{node}',
    anyOf: [['Sys.AccessNetwork'], ['Sys.Audit', 'Sys.Modify']],
    source:
      'pve-storage Status.pm download_url: Sys.AccessNetwork on the node, or Sys.Audit+Sys.Modify on /',
  },
  {
    call: 'POST /nodes/{node}/storage/{storage}/download-url',
    usedFor: 'downloading cloud images to an import storage',
    path: '/storage/{storage}',
    anyOf: one('Datastore.AllocateTemplate'),
    source:
      "pve-storage Status.pm download_url: check => ['perm', '/storage/{storage}', ['Datastore.AllocateTemplate']]",
  },
  {
    call: 'GET /nodes/{node}/storage',
    usedFor: 'reading storages',
    path: '/storage/{storage}',
    anyOf: [['Datastore.AllocateSpace'], ['Datastore.Audit']],
    source:
      "pve-storage Status.pm index: lists storages with 'Datastore.Audit' or 'Datastore.AllocateSpace'",
  },
  {
    call: 'POST /nodes/{node}/qemu, POST …/config (new disks, imports), PUT …/resize',
    usedFor: 'allocating disks',
    path: '/storage/{storage}',
    anyOf: one('Datastore.AllocateSpace'),
    source: "qemu-server Qemu.pm $check_storage_access: Datastore.AllocateSpace for '<sid>:<size>'",
  },
  {
    call: 'POST …/config (import-from=<sid>:import/<file>)',
    usedFor: 'reading imported images',
    path: '/storage/{storage}',
    anyOf: [['Datastore.AllocateSpace'], ['Datastore.Audit']],
    source:
      'pve-storage Storage.pm check_volume_access: iso/vztmpl/import need AllocateSpace or Audit',
  },
  {
    call: 'POST /nodes/{node}/qemu (net0)',
    usedFor: 'attaching VMs to the bridge',
    path: '/sdn/zones/localnetwork/vmbr0',
    anyOf: one('SDN.Use'),
    source: 'qemu-server check_bridge_access → pve-guest-common check_vnet_access',
  },
  {
    call: 'GET /nodes/{node}/network?type=any_bridge',
    usedFor: "checking a node has the network's bridge",
    path: '/sdn/zones/localnetwork/{bridge}',
    anyOf: one('SDN.Audit'),
    source:
      'pve-manager Network.pm index: on PVE 9 a bridge the token may not audit is left out of the list (pve.md §10 note 12)',
  },
  {
    call: 'GET …/qemu/{vmid}/agent/network-get-interfaces',
    usedFor: "learning a DHCP VM's address from its guest agent",
    path: '/vms/{vmid}',
    anyOf: one('VM.GuestAgent.Audit'),
    source:
      'qemu-server Qemu/Agent.pm register_command: PVE 9 replaced VM.Monitor by VM.GuestAgent.* (pve.md §10 note 12)',
  },
  {
    call: 'GET …/qemu/{vmid}/status/current, GET …/config',
    usedFor: 'reading VM status and configuration',
    path: '/vms/{vmid}',
    anyOf: one('VM.Audit'),
    source:
      "qemu-server Qemu.pm vm_status, vm_config: check => ['perm', '/vms/{vmid}', ['VM.Audit']]",
  },
  {
    call: 'POST /nodes/{node}/qemu, DELETE /nodes/{node}/qemu/{vmid}',
    usedFor: 'creating and destroying VMs',
    path: '/vms/{vmid}',
    anyOf: one('VM.Allocate'),
    source: 'qemu-server Qemu.pm create_vm (VM.Allocate on /vms/{vmid} or the pool), destroy_vm',
  },
  {
    call: 'cores, sockets, cpu',
    usedFor: 'setting cores and CPU type',
    path: '/vms/{vmid}',
    anyOf: one('VM.Config.CPU'),
    source: 'qemu-server Qemu.pm $check_vm_modify_config_perm: $cpuoptions',
  },
  {
    call: 'memory, balloon',
    usedFor: 'setting memory and balloon',
    path: '/vms/{vmid}',
    anyOf: one('VM.Config.Memory'),
    source: 'qemu-server Qemu.pm $check_vm_modify_config_perm: $memoryoptions',
  },
  {
    call: 'POST …/config scsi0, boot, PUT …/resize',
    usedFor: 'importing and growing disks, the boot order',
    path: '/vms/{vmid}',
    anyOf: one('VM.Config.Disk'),
    source: "qemu-server Qemu.pm $check_drive_perms, $diskoptions, resize_vm: ['VM.Config.Disk']",
  },
  {
    call: 'net0',
    usedFor: 'adding the network card',
    path: '/vms/{vmid}',
    anyOf: one('VM.Config.Network'),
    source: 'qemu-server Qemu.pm $check_vm_modify_config_perm: net\\d+',
  },
  {
    call: 'scsihw, vga, serial0=socket',
    usedFor: 'setting the SCSI controller, serial console and display',
    path: '/vms/{vmid}',
    anyOf: one('VM.Config.HWType'),
    source: 'qemu-server Qemu.pm $hwtypeoptions, $check_vm_create_serial_perm',
  },
  {
    call: 'name, ostype, agent, tags',
    usedFor: 'setting name, OS type, tags and agent',
    path: '/vms/{vmid}',
    anyOf: one('VM.Config.Options'),
    source: 'qemu-server Qemu.pm $generaloptions; pve-guest-common assert_tag_permissions',
  },
  {
    call: 'ciuser, sshkeys, ipconfig0, ciupgrade',
    usedFor: 'setting the cloud-init user, SSH keys, address and ciupgrade',
    path: '/vms/{vmid}',
    anyOf: [['VM.Config.Cloudinit'], ['VM.Config.Network']],
    source:
      "qemu-server Qemu.pm $cloudinitoptions, ipconfig\\d+: ['VM.Config.Cloudinit', 'VM.Config.Network'], any",
  },
  {
    call: 'POST …/status/start|stop|shutdown|reboot',
    usedFor: 'starting, stopping and rebooting VMs',
    path: '/vms/{vmid}',
    anyOf: one('VM.PowerMgmt'),
    source: "qemu-server Qemu.pm vm_start etc.: check => ['perm', '/vms/{vmid}', ['VM.PowerMgmt']]",
  },
  {
    call: 'POST …/migrate',
    usedFor: 'moving VMs between nodes',
    path: '/vms/{vmid}',
    anyOf: one('VM.Migrate'),
    source: "qemu-server Qemu.pm migrate_vm: check => ['perm', '/vms/{vmid}', ['VM.Migrate']]",
  },
  {
    call: 'POST …/clone',
    usedFor: 'linked clones of the cached OS templates',
    path: '/vms/{vmid}',
    anyOf: one('VM.Clone'),
    source: "qemu-server Qemu.pm clone_vm: check => ['perm', '/vms/{vmid}', ['VM.Clone']]",
  },
]

/**
 * The smallest set of privileges that meets every need: single-option needs first, then each
 * either-of need is met by what is already chosen, or by its alternative that adds the fewest.
 */
function derivePrivileges(needs: readonly PrivilegeNeed[]): RequiredPrivilege[] {
  const chosen = new Map<string, RequiredPrivilege>()
  const choose = (need: PrivilegeNeed, privileges: readonly string[]): void => {
    for (const privilege of privileges) {
      const entry = chosen.get(privilege)
      if (entry === undefined)
        chosen.set(privilege, { privilege, path: need.path, usedFor: need.usedFor })
      else if (!entry.usedFor.includes(need.usedFor))
        entry.usedFor = `${entry.usedFor}; ${need.usedFor}`
    }
  }
  for (const need of needs) {
    const only = need.anyOf.length === 1 ? need.anyOf[0] : undefined
    if (only !== undefined) choose(need, only)
  }
  for (const need of needs) {
    if (need.anyOf.length === 1) continue
    const met = need.anyOf.find((alternative) => alternative.every((p) => chosen.has(p)))
    if (met !== undefined) {
      choose(need, met)
      continue
    }
    const cheapest = [...need.anyOf].sort(
      (a, b) => a.filter((p) => !chosen.has(p)).length - b.filter((p) => !chosen.has(p)).length,
    )[0]
    if (cheapest !== undefined) choose(need, cheapest)
  }
  return [...chosen.values()]
}

/**
 * Exactly the privileges the service uses over the REST API, derived from `privilegeNeeds`. The
 * README lists them with the `pveum` commands that create a role holding them; the driver checks
 * them at start; the simulator's REST face checks each call as Proxmox does.
 */
export const requiredPrivileges: readonly RequiredPrivilege[] = derivePrivileges(privilegeNeeds)

/** The privileges of {@link requiredPrivileges}, space-separated, for `pveum role add`. */
export function privilegeList(): string {
  return requiredPrivileges.map((entry) => entry.privilege).join(' ')
}

/**
 * Which required privileges `GET /access/permissions` shows nowhere. A privilege granted on any
 * path counts as held: a token limited to a pool or to some storages is still allowed, and a
 * call outside its reach gets PVE's own 403, which the driver explains. A need Proxmox meets with
 * either of two privileges counts as met when the token holds the other one.
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
  const unmet = privilegeNeeds.filter(
    (need) => !need.anyOf.some((alternative) => alternative.every((p) => held.has(p))),
  )
  return requiredPrivileges.filter(
    (entry) =>
      !held.has(entry.privilege) &&
      unmet.some((need) => need.anyOf.some((alternative) => alternative.includes(entry.privilege))),
  )
}
