import { AppError } from '../errors.js'

export type GuestErrorCode =
  | 'GUEST_SSH_TIMEOUT'
  | 'GUEST_SSH_STILL_UP'
  | 'GUEST_SSH_FAILED'
  | 'GUEST_HOST_KEY_CHANGED'
  | 'GUEST_SCRIPT_FAILED'
  | 'GUEST_SCRIPT_TIMEOUT'
  | 'GUEST_ABORTED'
  | 'GUEST_INVALID_ADDRESS'
  | 'GUEST_SERVICE_KEY_INVALID'
  | 'GUEST_HOST_KEY_STORE_INVALID'

/** One-line description of each code, for the docs and the error catalogue test. */
export const guestErrorCodes: Record<GuestErrorCode, string> = {
  GUEST_SSH_TIMEOUT: 'the VM did not accept an SSH login with the service key before the timeout',
  GUEST_SSH_STILL_UP: 'the VM kept answering SSH after it was told to go down (reboot not seen)',
  GUEST_SSH_FAILED: 'the SSH connection to the VM could not be opened or broke while in use',
  GUEST_HOST_KEY_CHANGED: "the VM's SSH host key differs from the one recorded at first contact",
  GUEST_SCRIPT_FAILED: 'the init script ran on the VM and exited with a non-zero status',
  GUEST_SCRIPT_TIMEOUT: 'the init script ran longer than its timeout and was stopped',
  GUEST_ABORTED: 'the caller cancelled the operation on the VM',
  GUEST_INVALID_ADDRESS: 'the VM address is not an IP address, or the port is not 1..65535',
  GUEST_SERVICE_KEY_INVALID: "the service's SSH key in DATA_DIR cannot be read, written or parsed",
  GUEST_HOST_KEY_STORE_INVALID: 'the file of recorded VM host keys in DATA_DIR is unreadable',
}

/** Something went wrong talking to a VM over SSH; `target` is `host:port` (or the file at fault). */
export class GuestError extends AppError {
  override readonly name: string = 'GuestError'
  declare readonly code: GuestErrorCode
  readonly target: string

  constructor(code: GuestErrorCode, target: string, message: string, options?: ErrorOptions) {
    super(code, message, options)
    this.target = target
  }
}

/** The VM never let the service key in: how often it was tried and why the last try failed. */
export class GuestSshTimeoutError extends GuestError {
  override readonly name = 'GuestSshTimeoutError'
  readonly attempts: number
  readonly lastReason: string

  constructor(target: string, timeoutMs: number, attempts: number, lastReason: string) {
    super(
      'GUEST_SSH_TIMEOUT',
      target,
      `SSH on ${target} did not become ready within ${formatSeconds(timeoutMs)} ` +
        `(${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}; last: ${lastReason})`,
    )
    this.attempts = attempts
    this.lastReason = lastReason
  }
}

/** The init script exited non-zero. Carries its last output lines, never the script itself. */
export class GuestScriptError extends GuestError {
  override readonly name = 'GuestScriptError'
  /** the exit status, or undefined when a signal ended the script */
  readonly exitCode: number | undefined
  readonly lastLines: readonly string[]

  constructor(target: string, ending: string, exitCode: number | undefined, lastLines: string[]) {
    const tail = lastLines.length === 0 ? 'no output' : `last output:\n${lastLines.join('\n')}`
    super('GUEST_SCRIPT_FAILED', target, `init script on ${target} ${ending}; ${tail}`)
    this.exitCode = exitCode
    this.lastLines = lastLines
  }
}

/** True for a GuestError, optionally of one code. */
export function isGuestError(error: unknown, code?: GuestErrorCode): error is GuestError {
  return error instanceof GuestError && (code === undefined || error.code === code)
}

/** The error for an operation its caller cancelled; the signal's reason is kept as the cause. */
export function guestAbortedError(target: string, what: string, signal: AbortSignal): GuestError {
  return new GuestError('GUEST_ABORTED', target, `${what} on ${target} was cancelled`, {
    cause: signal.reason,
  })
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`
}

/** One SSH attempt failed; `reason` is the short why, without the target, for retry messages. */
export class GuestSshFailedError extends GuestError {
  override readonly name = 'GuestSshFailedError'
  readonly reason: string
  /** the VM's sshd answered the handshake and then refused the service key */
  readonly loginRefused: boolean

  constructor(
    target: string,
    reason: string,
    options?: ErrorOptions & { loginRefused?: boolean | undefined },
  ) {
    super('GUEST_SSH_FAILED', target, `SSH to ${target} failed: ${reason}`, options)
    this.reason = reason
    this.loginRefused = options?.loginRefused === true
  }
}
