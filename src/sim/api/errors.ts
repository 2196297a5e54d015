import { AppError } from '../../errors.js'

/**
 * The three ways a Proxmox API method fails before or outside a task, as the simulator raises
 * them: a plain `die` (HTTP 500), a parameter exception (400 with per-parameter messages) and a
 * permission exception (403). The router turns each into a `SimResponse`.
 */
export class PveDieError extends AppError {
  override readonly name = 'PveDieError'
  readonly status: number
  constructor(message: string, status = 500) {
    super('SIM_PVE_DIE', message)
    this.status = status
  }
}

export class PveParamError extends AppError {
  override readonly name = 'PveParamError'
  readonly errors: Record<string, string>
  constructor(errors: Record<string, string>) {
    super('SIM_PVE_PARAM', 'Parameter verification failed.')
    this.errors = errors
  }
}

export class PvePermissionError extends AppError {
  override readonly name = 'PvePermissionError'
  constructor(what: string) {
    super('SIM_PVE_PERMISSION', `Permission check failed (${what})`)
  }
}

/** Dies like Perl's `die "msg\n"`: a 500 with that message. */
export function die(message: string): never {
  throw new PveDieError(message)
}

/** `raise_param_exc({ name: message })`. */
export function paramError(name: string, message: string): never {
  throw new PveParamError({ [name]: message })
}
