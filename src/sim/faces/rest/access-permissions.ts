import type { SimParams, SimResponse } from '../../api/types.js'
import type { SimApiToken } from './token-auth.js'

/** Every privilege PVE 8/9 knows, for a token that is not limited. */
export const allPrivileges: readonly string[] = [
  'Datastore.Allocate',
  'Datastore.AllocateSpace',
  'Datastore.AllocateTemplate',
  'Datastore.Audit',
  'Group.Allocate',
  'Mapping.Audit',
  'Mapping.Modify',
  'Mapping.Use',
  'Permissions.Modify',
  'Pool.Allocate',
  'Pool.Audit',
  'Realm.Allocate',
  'Realm.AllocateUser',
  'SDN.Allocate',
  'SDN.Audit',
  'SDN.Use',
  'Sys.AccessNetwork',
  'Sys.Audit',
  'Sys.Console',
  'Sys.Incoming',
  'Sys.Modify',
  'Sys.PowerMgmt',
  'Sys.Syslog',
  'User.Modify',
  'VM.Allocate',
  'VM.Audit',
  'VM.Backup',
  'VM.Clone',
  'VM.Config.CDROM',
  'VM.Config.CPU',
  'VM.Config.Cloudinit',
  'VM.Config.Disk',
  'VM.Config.HWType',
  'VM.Config.Memory',
  'VM.Config.Network',
  'VM.Config.Options',
  'VM.Console',
  'VM.GuestAgent.Audit',
  'VM.GuestAgent.FileRead',
  'VM.GuestAgent.FileSystemMgmt',
  'VM.GuestAgent.FileWrite',
  'VM.GuestAgent.Unrestricted',
  'VM.Migrate',
  'VM.PowerMgmt',
  'VM.Snapshot',
  'VM.Snapshot.Rollback',
]

/**
 * `GET /access/permissions` for the calling token: its effective privileges per ACL path, each
 * with its propagate flag. The simulator grants a token's privileges on the whole tree, so
 * everything sits on `/` (or on the one `path` asked for).
 */
export function accessPermissions(token: SimApiToken, params: SimParams): SimResponse {
  const privileges = token.privileges ?? allPrivileges
  const held = Object.fromEntries([...privileges].sort().map((name) => [name, 1]))
  const userid = params.userid === undefined ? undefined : String(params.userid)
  if (userid !== undefined && userid !== token.id && !privileges.includes('Sys.Audit')) {
    return { status: 403, data: null, message: 'Permission check failed (/access, Sys.Audit)' }
  }
  const path = params.path === undefined ? '/' : String(params.path)
  return { status: 200, data: { [path]: held } }
}
