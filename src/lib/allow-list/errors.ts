import { AppError } from '../../errors.js'

/** One-line description of each code, for the docs and the error catalogue test. */
export const allowListErrorCodes: Record<string, string> = {
  ALLOW_LIST_ENTRY_INVALID: 'an allowlist entry is neither an IP address nor a CIDR range',
}

/** An entry of an address list (ALLOW_IPS, TRUST_PROXY) that cannot be understood. */
export class AllowListEntryError extends AppError {
  override readonly name = 'AllowListEntryError'
  /** The entry as given, for a caller that words its own message. */
  readonly entry: string
  /** Why the entry was refused, without the entry itself. */
  readonly reason: string

  constructor(entry: string, reason: string) {
    super('ALLOW_LIST_ENTRY_INVALID', `${JSON.stringify(entry)}: ${reason}`)
    this.entry = entry
    this.reason = reason
  }
}
