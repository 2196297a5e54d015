import type { PveApiMethod } from '../../../pve/drivers/api/transport.js'
import type { SimParams, SimResponse } from '../../api/types.js'
import { configOptionPrivileges } from './config-option-privileges.js'

/** What a permission check may look up: a VM's current config (for resize and drive changes). */
export interface PermissionContext {
  /** the privileges the token holds (granted on the whole tree in the simulator) */
  held: ReadonlySet<string>
  vmConfig(node: string, vmid: string): Promise<Record<string, string> | undefined>
}

/** A refusal: PVE's 403 (a privilege is missing) or the `die` of a root-only option. */
class Refusal extends Error {
  readonly response: SimResponse
  constructor(response: SimResponse) {
    super(response.message)
    this.response = response
  }
}

function require(held: ReadonlySet<string>, path: string, privileges: readonly string[]): void {
  const missing = privileges.find((privilege) => !held.has(privilege))
  if (missing === undefined) return
  throw new Refusal({
    status: 403,
    data: null,
    message: `Permission check failed (${path}, ${missing})`,
  })
}

function requireAny(held: ReadonlySet<string>, path: string, privileges: readonly string[]): void {
  if (privileges.some((privilege) => held.has(privilege))) return
  throw new Refusal({
    status: 403,
    data: null,
    message: `Permission check failed (${path}, ${privileges.join('|')})`,
  })
}

function die(message: string): never {
  throw new Refusal({ status: 500, data: null, message })
}

const drive = /^(ide|sata|scsi|virtio|efidisk|tpmstate)\d+$/
const newDisk = /^(?:([^/:\s]+):)?(\d+(?:\.\d+)?)$/
/** Parameters of the create and config methods that are no config options. */
const methodParams = new Set([
  'node',
  'vmid',
  'digest',
  'skiplock',
  'delete',
  'revert',
  'force',
  'background_delay',
  'storage',
  'pool',
  'start',
  'archive',
  'unique',
  'bwlimit',
  'live-restore',
])

interface Drive {
  file: string
  cdrom: boolean
  importFrom: string | undefined
}

function readDrive(value: string): Drive {
  const [file = '', ...options] = value.split(',')
  const option = (name: string): string | undefined =>
    options.find((o) => o.startsWith(`${name}=`))?.slice(name.length + 1)
  return { file, cdrom: option('media') === 'cdrom', importFrom: option('import-from') }
}

function isCloudinit(file: string): boolean {
  return file === 'cloudinit' || /^[^:]+:cloudinit$/.test(file) || /vm-\d+-cloudinit/.test(file)
}

/** The content type and owner PVE reads from a volume name (`iso/x.iso`, `vm-100-disk-0`). */
function volumeType(volname: string): { type: string; owner?: string } {
  const kind = /^(iso|vztmpl|import|snippets|backup)\//.exec(volname)?.[1]
  if (kind !== undefined) return { type: kind }
  const owner = /(?:^|\/)(?:vm|base)-(\d+)-/.exec(volname)?.[1]
  return owner === undefined ? { type: 'images' } : { type: 'images', owner }
}

/** pve-storage `check_volume_access`, the privilege part of it. */
function checkVolumeAccess(held: ReadonlySet<string>, vmid: string, volid: string): void {
  const split = volid.indexOf(':')
  if (split <= 0 || volid.startsWith('/')) return // a path: the daemon refuses non-root callers
  const sid = volid.slice(0, split)
  if (held.has('Datastore.Allocate')) return
  const { type, owner } = volumeType(volid.slice(split + 1))
  if (type === 'iso' || type === 'vztmpl' || type === 'import') {
    requireAny(held, `/storage/${sid}`, ['Datastore.AllocateSpace', 'Datastore.Audit'])
  } else if (owner !== undefined && owner === vmid) {
    // the VM's own volume
  } else if (type === 'images' && owner !== undefined) {
    require(held, `/storage/${sid}`, ['Datastore.Audit'])
    require(held, `/vms/${owner}`, ['VM.Config.Disk'])
  } else {
    die(`missing privileges to access ${volid}`)
  }
}

/** qemu-server `$check_storage_access` for one drive value. */
function checkStorageAccess(
  held: ReadonlySet<string>,
  vmid: string,
  value: string,
  defaultStorage: string | undefined,
): void {
  const { file, cdrom, importFrom } = readDrive(value)
  const disk = newDisk.exec(file)
  if (file === '' || file === 'none' || isCloudinit(file)) {
    // nothing to check: a cloud-init drive needs no storage privilege
  } else if (cdrom && file === 'cdrom') {
    require(held, '/', ['Sys.Console'])
  } else if (!cdrom && disk !== null) {
    const sid = disk[1] ?? defaultStorage ?? ''
    require(held, `/storage/${sid}`, ['Datastore.AllocateSpace'])
  } else {
    checkVolumeAccess(held, vmid, file)
  }
  if (importFrom === undefined) return
  const split = importFrom.indexOf(':')
  const owner = split > 0 ? volumeType(importFrom.slice(split + 1)).owner : undefined
  if (owner !== undefined) require(held, `/vms/${owner}`, ['VM.Clone'])
  else checkVolumeAccess(held, vmid, importFrom)
}

/** `check_bridge_access`: SDN.Use on the bridge (or its VLAN) in the local zone. */
function checkBridgeAccess(held: ReadonlySet<string>, value: string): void {
  const bridge = /(?:^|,)bridge=([^,]+)/.exec(value)?.[1]
  if (bridge === undefined) return
  const tag = /(?:^|,)tag=(\d+)/.exec(value)?.[1]
  const path = `/sdn/zones/localnetwork/${bridge}${tag === undefined ? '' : `/${tag}`}`
  require(held, path, ['SDN.Use'])
}

/** `$check_vm_modify_config_perm` for one option (drives, serial and tags are checked apart). */
function checkOption(held: ReadonlySet<string>, vmid: string, key: string): void {
  if (drive.test(key) || key === 'cdrom' || /^(?:unused|serial|usb|hostpci)\d+$/.test(key)) return
  const path = `/vms/${vmid}`
  if (key === 'tags') {
    require(held, path, ['VM.Config.Options'])
    return
  }
  // `lock` is root-only on a real node; the simulator lets a token set it so the shared driver
  // contract can lock a VM through the port
  if (key === 'lock') return
  const rule = configOptionPrivileges(key)
  if (rule === undefined) die(`only root can set '${key}' config`)
  if (rule.any) requireAny(held, path, rule.privileges)
  else require(held, path, rule.privileges)
  if (key === 'startup') require(held, '/', ['Sys.Modify'])
}

/** The `$check_drive_perms` of a config change: cloud-init, CD-ROM or disk privileges. */
function checkDrivePerms(held: ReadonlySet<string>, vmid: string, value: string): void {
  const { file, cdrom } = readDrive(value)
  const path = `/vms/${vmid}`
  if (isCloudinit(file)) require(held, path, ['VM.Config.Cloudinit', 'VM.Config.CDROM'])
  else if (cdrom || file === 'cdrom' || file === 'none') require(held, path, ['VM.Config.CDROM'])
  else require(held, path, ['VM.Config.Disk'])
}

function checkSerial(held: ReadonlySet<string>, vmid: string, key: string, value: string): void {
  if (value !== 'socket') die(`only root can set '${key}' config for real devices`)
  require(held, `/vms/${vmid}`, ['VM.Config.HWType'])
}

const vmConfigPrivileges = [
  'VM.Config.Disk',
  'VM.Config.CDROM',
  'VM.Config.CPU',
  'VM.Config.Memory',
  'VM.Config.Network',
  'VM.Config.HWType',
  'VM.Config.Options',
  'VM.Config.Cloudinit',
]

function optionKeys(params: SimParams): string[] {
  return Object.keys(params).filter((key) => !methodParams.has(key))
}

/** `POST /nodes/{node}/qemu` (create_vm), as qemu-server checks it before forking. */
function checkCreate(held: ReadonlySet<string>, params: SimParams): void {
  const vmid = String(params.vmid ?? '')
  const storage = params.storage === undefined ? undefined : String(params.storage)
  if (storage !== undefined) require(held, `/storage/${storage}`, ['Datastore.AllocateSpace'])
  require(held, `/vms/${vmid}`, ['VM.Allocate'])
  for (const key of optionKeys(params)) {
    const value = String(params[key])
    if (drive.test(key)) checkStorageAccess(held, vmid, value, storage)
    checkOption(held, vmid, key)
    if (/^serial\d+$/.test(key)) checkSerial(held, vmid, key, value)
    if (/^net\d+$/.test(key)) checkBridgeAccess(held, value)
  }
}

/** `PUT`/`POST …/config` (update_vm_api), including the checks its worker makes per drive. */
async function checkUpdate(
  context: PermissionContext,
  node: string,
  vmid: string,
  params: SimParams,
): Promise<void> {
  const { held } = context
  requireAny(held, `/vms/${vmid}`, vmConfigPrivileges)
  const deletes = String(params.delete ?? '')
    .split(/[,;\s]+/)
    .filter((key) => key !== '')
  const keys = optionKeys(params)
  for (const key of [...deletes, ...keys]) checkOption(held, vmid, key)
  for (const key of keys) {
    if (drive.test(key)) checkStorageAccess(held, vmid, String(params[key]), undefined)
    if (/^net\d+$/.test(key)) checkBridgeAccess(held, String(params[key]))
  }
  const touchesDrives = [...deletes, ...keys].some(
    (key) => drive.test(key) || /^(?:unused|serial)\d+$/.test(key),
  )
  const current = touchesDrives ? ((await context.vmConfig(node, vmid)) ?? {}) : {}
  for (const key of deletes) {
    const old = current[key]
    if (/^unused\d+$/.test(key)) require(held, `/vms/${vmid}`, ['VM.Config.Disk'])
    else if (drive.test(key) && old !== undefined) checkDrivePerms(held, vmid, old)
    else if (/^serial\d+$/.test(key) && old !== undefined) checkSerial(held, vmid, key, old)
  }
  for (const key of keys) {
    const value = String(params[key])
    if (drive.test(key)) {
      const old = current[key]
      if (old !== undefined) checkDrivePerms(held, vmid, old)
      checkDrivePerms(held, vmid, value)
    } else if (/^serial\d+$/.test(key)) {
      const old = current[key]
      if (old !== undefined && old !== 'socket') die(`only root can modify '${key}' config`)
      checkSerial(held, vmid, key, value)
    }
  }
}

/** `PUT …/resize`: VM.Config.Disk, and space on the disk's storage. */
async function checkResize(
  context: PermissionContext,
  node: string,
  vmid: string,
  params: SimParams,
): Promise<void> {
  require(context.held, `/vms/${vmid}`, ['VM.Config.Disk'])
  const value = (await context.vmConfig(node, vmid))?.[String(params.disk ?? '')]
  const sid = value === undefined ? undefined : /^([^:,]+):/.exec(value)?.[1]
  if (sid !== undefined) require(context.held, `/storage/${sid}`, ['Datastore.AllocateSpace'])
}

type Rule = (
  context: PermissionContext,
  path: Record<string, string>,
  params: SimParams,
) => void | Promise<void>

const vm =
  (privilege: string): Rule =>
  (c, p) => {
    require(c.held, `/vms/${p.vmid ?? ''}`, [privilege])
  }

/**
 * The permission check of each API method the simulator serves, as its `permissions` block and
 * its code check them (qemu-server PVE/API2/Qemu.pm, pve-storage PVE/API2/Storage/*.pm,
 * pve-manager PVE/API2/Nodes.pm). Methods with `user => 'all'` (task status and log, cluster
 * resources, next id) check nothing; a token owns the tasks it starts.
 */
const rules: { method: PveApiMethod; pattern: RegExp; rule: Rule }[] = [
  {
    method: 'GET',
    pattern: /^\/nodes\/(?<node>[^/]+)\/status$/,
    rule: (c, p) => {
      require(c.held, `/nodes/${p.node ?? ''}`, ['Sys.Audit'])
    },
  },
  {
    method: 'GET',
    pattern: /^\/nodes\/[^/]+\/storage\/(?<storage>[^/]+)\/content$/,
    rule: (c, p) => {
      requireAny(c.held, `/storage/${p.storage ?? ''}`, [
        'Datastore.Audit',
        'Datastore.AllocateSpace',
      ])
    },
  },
  {
    method: 'POST',
    pattern: /^\/nodes\/(?<node>[^/]+)\/storage\/(?<storage>[^/]+)\/download-url$/,
    rule: (c, p) => {
      require(c.held, `/storage/${p.storage ?? ''}`, ['Datastore.AllocateTemplate'])
      // Sys.Audit and Sys.Modify on /, or (PVE >= 8.2) Sys.AccessNetwork on the node
      if (c.held.has('Sys.Audit') && c.held.has('Sys.Modify')) return
      require(c.held, `/nodes/${p.node ?? ''}`, ['Sys.AccessNetwork'])
    },
  },
  {
    method: 'GET',
    pattern: /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)\/(?:status\/current|config|pending)$/,
    rule: vm('VM.Audit'),
  },
  {
    method: 'POST',
    pattern:
      /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)\/status\/(?:start|stop|shutdown|reboot|reset|suspend|resume)$/,
    rule: vm('VM.PowerMgmt'),
  },
  { method: 'DELETE', pattern: /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)$/, rule: vm('VM.Allocate') },
  {
    // qemu-server Qemu/Agent.pm: PVE 9 checks VM.GuestAgent.* where it checked VM.Monitor
    // (pve.md §10 note 12); ping and network-get-interfaces are audits
    method: 'POST',
    pattern: /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)\/agent(?:\/ping)?$/,
    rule: vm('VM.GuestAgent.Audit'),
  },
  {
    method: 'GET',
    pattern: /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)\/agent\/network-get-interfaces$/,
    rule: vm('VM.GuestAgent.Audit'),
  },
  {
    // clone_vm: VM.Clone on the source, VM.Allocate on the new id, space on a chosen storage
    method: 'POST',
    pattern: /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)\/clone$/,
    rule: (c, p, params) => {
      require(c.held, `/vms/${p.vmid ?? ''}`, ['VM.Clone'])
      require(c.held, `/vms/${String(params.newid ?? '')}`, ['VM.Allocate'])
      if (params.storage !== undefined) {
        require(c.held, `/storage/${String(params.storage)}`, ['Datastore.AllocateSpace'])
      }
    },
  },
  {
    method: 'POST',
    pattern: /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)\/template$/,
    rule: vm('VM.Allocate'),
  },
  {
    method: 'POST',
    pattern: /^\/nodes\/[^/]+\/qemu\/(?<vmid>\d+)\/migrate$/,
    rule: (c, p, params) => {
      require(c.held, `/vms/${p.vmid ?? ''}`, ['VM.Migrate'])
      const target = params.targetstorage === undefined ? undefined : String(params.targetstorage)
      for (const pair of target?.split(',') ?? []) {
        const sid = pair.split(':').at(-1) ?? ''
        if (sid !== '1') require(c.held, `/storage/${sid}`, ['Datastore.AllocateSpace'])
      }
    },
  },
  {
    method: 'PUT',
    pattern: /^\/nodes\/(?<node>[^/]+)\/qemu\/(?<vmid>\d+)\/resize$/,
    rule: (c, p, params) => checkResize(c, p.node ?? '', p.vmid ?? '', params),
  },
  {
    method: 'POST',
    pattern: /^\/nodes\/[^/]+\/qemu$/,
    rule: (c, _p, params) => {
      checkCreate(c.held, params)
    },
  },
  {
    method: 'PUT',
    pattern: /^\/nodes\/(?<node>[^/]+)\/qemu\/(?<vmid>\d+)\/config$/,
    rule: (c, p, params) => checkUpdate(c, p.node ?? '', p.vmid ?? '', params),
  },
  {
    method: 'POST',
    pattern: /^\/nodes\/(?<node>[^/]+)\/qemu\/(?<vmid>\d+)\/config$/,
    rule: (c, p, params) => checkUpdate(c, p.node ?? '', p.vmid ?? '', params),
  },
]

/**
 * PVE's answer when the token may not make this call with these parameters (403, or the 500 of
 * a root-only option), or undefined when it may. Checked before the daemon sees the request.
 */
export async function refuseWithoutPermission(
  context: PermissionContext,
  method: PveApiMethod,
  path: string,
  params: SimParams,
): Promise<SimResponse | undefined> {
  const clean = path.replace(/\/+$/, '')
  for (const { method: wanted, pattern, rule } of rules) {
    if (wanted !== method) continue
    const match = pattern.exec(clean)
    if (match === null) continue
    try {
      await rule(context, match.groups ?? {}, params)
      return undefined
    } catch (error) {
      if (error instanceof Refusal) return error.response
      throw error
    }
  }
  return undefined
}
