import { isAppError } from '../../errors.js'
import { PveError, type PveErrorKind } from '../../pve/errors.js'

const pveStatus: Record<PveErrorKind, number> = {
  vm_not_found: 404,
  vm_exists: 409,
  vm_running: 409,
  vm_not_running: 409,
  vm_locked: 409,
  lock_timeout: 503,
  invalid_parameter: 400,
  shrink_refused: 400,
  storage: 502,
  node: 400,
  permission: 502,
  unreachable: 502,
  failed: 502,
}

const codeStatus: Record<string, number> = {
  VM_NOT_FOUND: 404,
  VM_WRONG_STATE: 409,
  VM_BUSY: 409,
  INVALID_INPUT: 400,
  ACCESS_DENIED: 403,
  TEMPLATE_NOT_FOUND: 404,
  TEMPLATE_IN_USE: 409,
  VM_IS_TEMPLATE: 409,
}

/**
 * The HTTP status for an error: 4xx for what the caller can fix, 502/503 when Proxmox failed
 * (its message is passed on: it names the tool's reason and never holds our secrets), 500 for
 * our own bugs (logged, with a generic message).
 */
export function statusForError(error: unknown): number {
  if (error instanceof PveError) return pveStatus[error.kind]
  if (isAppError(error)) return codeStatus[error.code] ?? 500
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = error.statusCode
    if (typeof status === 'number' && status >= 400 && status < 600) return status
  }
  return 500
}
