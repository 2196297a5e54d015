import { AppError } from '../errors.js'

/** One-line description of each provisioning error code. */
export const provisionErrorCodes: Record<string, string> = {
  VM_NOT_FOUND: 'no VM with that ID exists in the cluster',
  VM_WRONG_STATE: 'the VM is not in a state that allows the operation (e.g. stopping a stopped VM)',
  VM_BUSY: 'another operation of this service is changing the VM',
  INVALID_INPUT: 'a request field is missing or out of range',
  VM_NOT_OURS:
    "a VM the service was to remove does not carry its install's stamp; it was left alone",
  GUEST_ADDRESS_UNKNOWN:
    'a DHCP/SLAAC VM booted but its guest agent reported no address within GUEST_SSH_TIMEOUT',
}

export class VmNotFoundError extends AppError {
  override readonly name = 'VmNotFoundError'
  constructor(vmid: number) {
    super('VM_NOT_FOUND', `VM ${vmid} does not exist`)
  }
}

export class VmStateError extends AppError {
  override readonly name = 'VmStateError'
  constructor(message: string) {
    super('VM_WRONG_STATE', message)
  }
}

export class VmBusyError extends AppError {
  override readonly name = 'VmBusyError'
  readonly holder: string
  constructor(vmid: number, holder: string) {
    super('VM_BUSY', `VM ${vmid} is busy: ${holder} is in progress`)
    this.holder = holder
  }
}

/** Bad input found by an operation (after schema validation), naming the field. */
export class InvalidInputError extends AppError {
  override readonly name = 'InvalidInputError'
  readonly field: string
  constructor(field: string, message: string) {
    super('INVALID_INPUT', `${field}: ${message}`)
    this.field = field
  }
}
