/**
 * Asks whether something answers at `address` before the address is handed out; true means
 * something answers (the address is in use by a host the service does not know of).
 */
export type AddressProbe = (address: string, signal: AbortSignal) => Promise<boolean>

/** The probe of `IP_PROBE=off`: nothing is ever asked, every address looks free. */
export const noProbe: AddressProbe = async () => false
