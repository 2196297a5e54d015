import { AppError } from '../errors.js'

/**
 * What went wrong in Proxmox, as far as a caller needs to branch on it. Every driver sees the
 * same messages (the real tools and the REST API share the Perl code that words them), so one
 * classifier serves them all.
 */
export type PveErrorKind =
  | 'vm_not_found'
  | 'vm_exists'
  | 'vm_running'
  | 'vm_not_running'
  | 'vm_locked'
  | 'lock_timeout'
  | 'invalid_parameter'
  | 'shrink_refused'
  | 'storage'
  | 'node'
  | 'permission'
  | 'unreachable'
  | 'agent_unavailable'
  | 'failed'

const codes: Record<PveErrorKind, string> = {
  vm_not_found: 'PVE_VM_NOT_FOUND',
  vm_exists: 'PVE_VM_EXISTS',
  vm_running: 'PVE_VM_RUNNING',
  vm_not_running: 'PVE_VM_NOT_RUNNING',
  vm_locked: 'PVE_VM_LOCKED',
  lock_timeout: 'PVE_LOCK_TIMEOUT',
  invalid_parameter: 'PVE_INVALID_PARAMETER',
  shrink_refused: 'PVE_SHRINK_REFUSED',
  storage: 'PVE_STORAGE',
  node: 'PVE_NODE',
  permission: 'PVE_PERMISSION',
  unreachable: 'PVE_UNREACHABLE',
  agent_unavailable: 'PVE_AGENT_UNAVAILABLE',
  failed: 'PVE_FAILED',
}

/** One-line description of each code, for the docs and the error catalogue test. */
export const pveErrorCodes: Record<string, string> = {
  PVE_VM_NOT_FOUND: 'the VM does not exist (on that node)',
  PVE_VM_EXISTS: 'the VMID is already taken in the cluster',
  PVE_VM_RUNNING: 'the operation needs a stopped VM',
  PVE_VM_NOT_RUNNING: 'the operation needs a running VM',
  PVE_VM_LOCKED: 'the VM carries a config lock (create, migrate, backup, ...)',
  PVE_LOCK_TIMEOUT: 'a Proxmox file lock could not be taken in time; retrying may succeed',
  PVE_INVALID_PARAMETER: 'Proxmox rejected a parameter',
  PVE_SHRINK_REFUSED: 'disks can only grow',
  PVE_STORAGE: 'the storage is missing, disabled or cannot hold the content',
  PVE_NODE: 'the node is unknown, the local node, or offline',
  PVE_PERMISSION: 'the credentials lack a privilege',
  PVE_UNREACHABLE: 'the node or API could not be reached',
  PVE_AGENT_UNAVAILABLE:
    'the VM has no guest agent configured, or it is not (yet) answering; retrying may succeed',
  PVE_FAILED: 'any other Proxmox failure',
}

export class PveError extends AppError {
  override readonly name = 'PveError'
  readonly kind: PveErrorKind
  /** Per-parameter messages of a `400 Parameter verification failed.` */
  readonly parameters: Record<string, string>

  constructor(
    kind: PveErrorKind,
    message: string,
    options?: ErrorOptions & { parameters?: Record<string, string> },
  ) {
    super(codes[kind], message, options)
    this.kind = kind
    this.parameters = options?.parameters ?? {}
  }
}

const patterns: [RegExp, PveErrorKind][] = [
  [/^Configuration file '[^']+' does not exist/, 'vm_not_found'],
  [/^unable to find configuration file for VM \d+/, 'vm_not_found'],
  [/already exists/, 'vm_exists'],
  [/^VM \d+ already running/, 'vm_running'],
  [/^VM \d+ is running/, 'vm_running'],
  [/^can't migrate running VM without --online/, 'vm_running'],
  [/^you can't convert a VM to template if VM is running/, 'vm_running'],
  [/^base volume '[^']+' is still in use by linked clone/, 'vm_locked'],
  [/^VM \d+ (is )?not running/, 'vm_not_running'],
  [/^VM is locked \(/, 'vm_locked'],
  [/can't lock file '[^']+' - got timeout/, 'lock_timeout'],
  // a shared storage's cluster-wide lock through pmxcfs (pve-cluster PVE/Cluster.pm `$cfs_lock`,
  // taken by pve-storage's `cluster_lock_storage`): the same contention, worded by pmxcfs
  [/cfs-lock '[^']+' error: got lock request timeout/, 'lock_timeout'],
  [/^shrinking disks is not supported/, 'shrink_refused'],
  // a predictable refusal of the request, not a Proxmox failure (pve.md §10.2)
  [/^balloon value too large/, 'invalid_parameter'],
  [/^storage '[^']+' (does not exist|is disabled|is not available on node)/, 'storage'],
  [/^storage \S+ does not support vm images/, 'storage'],
  [/^no such cluster node/, 'node'],
  [/^target is local node/, 'node'],
  [/^Permission check failed/, 'permission'],
  [/^Only root/, 'permission'],
  // qemu-server PVE/QemuServer/Agent.pm (assert_agent_available) and the qga timeout (pve.md §2.11)
  [/^No QEMU guest agent configured/, 'agent_unavailable'],
  [/^QEMU guest agent is not running/, 'agent_unavailable'],
  // qga timeouts; older qemu-server words them as the QMP form with the `guest-` command
  [/^VM \d+ (qga|qmp) command 'guest-[^']+' failed - got timeout/, 'agent_unavailable'],
  [/^(proxy handler failed|hostname lookup|ssh: connect to host|595 |596 )/, 'unreachable'],
]

/** Classifies one Proxmox error message (the first line of what the tool printed). */
export function classifyPveMessage(message: string): PveErrorKind {
  const text = message.trim()
  for (const [pattern, kind] of patterns) {
    if (pattern.test(text)) return kind
  }
  return 'failed'
}

/** A PveError for a Proxmox message, classified. */
export function pveErrorFromMessage(
  message: string,
  options?: ErrorOptions & { parameters?: Record<string, string> },
): PveError {
  const parameters = options?.parameters ?? {}
  const first = Object.values(parameters)[0]
  const kind = first === undefined ? classifyPveMessage(message) : classifyParameterError(first)
  return new PveError(kind, message.trim(), options)
}

function classifyParameterError(text: string): PveErrorKind {
  const kind = classifyPveMessage(text)
  return kind === 'failed' ? 'invalid_parameter' : kind
}
