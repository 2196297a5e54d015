import { isAppError } from '../../errors.js'

/**
 * The one map from an error code to the HTTP status it is answered with: 4xx for what the
 * caller can fix, 429/503 for a limit that frees up, 502/503/504 when Proxmox, a node or a VM
 * failed (their message is passed on), 500 for our own bugs. Routes and hooks never choose a
 * status themselves; a test checks that every code of every catalogue (`src/**\/errors.ts`)
 * is here.
 */
export const statusByCode: Readonly<Record<string, number>> = {
  // http
  NOT_FOUND: 404,
  INTERNAL: 500,
  ACCESS_DENIED: 403,
  VM_PROTECTED: 403,
  WEB_NOT_BUILT: 503,
  HOST_NOT_ALLOWED: 421,
  ORIGIN_NOT_ALLOWED: 403,
  CROSS_SITE_REFUSED: 403,
  CONNECTIONS_LIMIT: 503,
  DISK_LOW: 503,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SSE_FIELD_INVALID: 500,
  ALLOW_LIST_ENTRY_INVALID: 500,
  // provision
  VM_NOT_FOUND: 404,
  VM_WRONG_STATE: 409,
  VM_BUSY: 409,
  VM_NOT_OURS: 409,
  GUEST_ADDRESS_UNKNOWN: 504,
  INVALID_INPUT: 400,
  TEMPLATE_NOT_FOUND: 404,
  TEMPLATE_IN_USE: 409,
  VM_IS_TEMPLATE: 409,
  TEMPLATE_BUILD_FAILED: 502,
  TEMPLATE_NO_FREE_VMID: 503,
  INSTALL_FAILED: 502,
  INSTALL_CANCELLED: 409,
  STORAGE_UNUSABLE: 400,
  IMAGE_TRANSFER_UNAVAILABLE: 400,
  NETWORK_POOL_EXHAUSTED: 503,
  // jobs
  JOB_NOT_FOUND: 404,
  JOB_FINISHED: 409,
  JOB_IDEMPOTENCY_CONFLICT: 409,
  JOB_ROW_INVALID: 500,
  JOB_CANCELLED: 409,
  JOB_QUEUE_FULL: 429,
  JOB_FOLLOWERS_LIMIT: 429,
  JOB_STREAMS_LIMIT: 503,
  JOB_AMBIGUOUS: 400,
  CREDENTIALS_NOT_YOURS: 403,
  CREDENTIALS_TAKEN: 410,
  CREDENTIALS_EXPIRED: 410,
  CREDENTIALS_NOT_READY: 409,
  CREDENTIALS_NONE: 404,
  // store
  STORE_OPEN_FAILED: 500,
  STORE_IN_USE: 500,
  STORE_TOO_NEW: 500,
  STORE_MIGRATION_FAILED: 500,
  STORE_ROW_INVALID: 500,
  STORE_CORRUPT: 500,
  STORE_WRITE_FAILED: 503,
  STORE_UNAVAILABLE: 503,
  // pve
  PVE_VM_NOT_FOUND: 404,
  PVE_VM_EXISTS: 409,
  PVE_VM_RUNNING: 409,
  PVE_VM_NOT_RUNNING: 409,
  PVE_VM_LOCKED: 409,
  PVE_LOCK_TIMEOUT: 503,
  PVE_INVALID_PARAMETER: 400,
  PVE_SHRINK_REFUSED: 400,
  PVE_STORAGE: 502,
  PVE_NODE: 400,
  PVE_PERMISSION: 502,
  PVE_UNREACHABLE: 502,
  PVE_AGENT_UNAVAILABLE: 503,
  PVE_FAILED: 502,
  // exec (commands on the nodes)
  EXEC_TIMEOUT: 504,
  EXEC_SPAWN_FAILED: 502,
  EXEC_ABORTED: 503,
  EXEC_SSH_FAILED: 502,
  EXEC_HOST_KEY_CHANGED: 502,
  EXEC_INVALID_ARGUMENT: 500,
  // guest (SSH into new VMs)
  GUEST_SSH_TIMEOUT: 504,
  GUEST_SSH_STILL_UP: 502,
  GUEST_SSH_FAILED: 502,
  GUEST_HOST_KEY_CHANGED: 502,
  GUEST_SCRIPT_FAILED: 502,
  GUEST_SCRIPT_TIMEOUT: 504,
  GUEST_ABORTED: 503,
  GUEST_INVALID_ADDRESS: 500,
  GUEST_SERVICE_KEY_INVALID: 500,
  GUEST_HOST_KEY_STORE_INVALID: 500,
  // images
  IMAGE_URL_UNREACHABLE: 502,
  IMAGE_CHECKSUM_UNAVAILABLE: 502,
  IMAGE_CHECKSUM_NOT_LISTED: 502,
  IMAGE_CHECKSUM_MISMATCH: 502,
  IMAGE_DOWNLOAD_FAILED: 502,
  IMAGE_WRITE_FAILED: 503,
  IMAGE_ABORTED: 503,
  IMAGE_INVALID_SOURCE: 500,
  // configuration and the simulator: never reach a request, but a status all the same
  CONFIG_INVALID: 500,
  SIM_IMAGE_SERVER_INVALID: 500,
}

/** The status of a code; 500 for a code no catalogue declares (a bug: the test catches it). */
export function statusForCode(code: string): number {
  return Object.hasOwn(statusByCode, code) ? (statusByCode[code] ?? 500) : 500
}

/**
 * The HTTP status for anything thrown: an error with one of our codes by {@link statusByCode},
 * Fastify's own errors (body too large, bad media type) by their `statusCode`, anything else 500.
 */
export function statusForError(error: unknown): number {
  if (isAppError(error)) return statusForCode(error.code)
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = error.statusCode
    if (typeof status === 'number' && status >= 400 && status < 600) return status
  }
  return 500
}
