import { AppError } from '../../errors.js'

export type SimImageErrorCode = 'SIM_IMAGE_SERVER_INVALID'

/** One-line description of each code, for the docs and the error catalogue test. */
export const simImageErrorCodes: Record<SimImageErrorCode, string> = {
  SIM_IMAGE_SERVER_INVALID:
    'the simulated image server was asked to listen off loopback or given a bad option',
}

/** A bad option to the simulated image server; nothing was started or changed. */
export class SimImageServerError extends AppError {
  override readonly name = 'SimImageServerError'
  declare readonly code: SimImageErrorCode

  constructor(message: string) {
    super('SIM_IMAGE_SERVER_INVALID', message)
  }
}
