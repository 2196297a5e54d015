export {
  GuestError,
  guestErrorCodes,
  GuestScriptError,
  GuestSshFailedError,
  GuestSshTimeoutError,
  isGuestError,
} from './errors.js'
export type { GuestErrorCode } from './errors.js'
export type { GuestSshTarget } from './guest-target.js'
export { checkHostKey, createMemoryHostKeyStore } from './host-keys.js'
export type { HostKeyStore } from './host-keys.js'
export { createJsonHostKeyStore, hostKeyStorePath } from './json-host-key-store.js'
export { generateEd25519Key } from './ed25519-key.js'
export type { OpenSshKeyPair } from './ed25519-key.js'
export { loadOrCreateServiceKey, serviceKeyPath } from './service-key.js'
export type { ServiceKey } from './service-key.js'
export { waitForSsh } from './wait-for-ssh.js'
export type { WaitForSshOptions } from './wait-for-ssh.js'
export { waitForSshDown } from './wait-for-ssh-down.js'
export type { WaitForSshDownOptions } from './wait-for-ssh-down.js'
export { runGuestScript } from './run-script.js'
export type { GuestOutputStream, RunGuestScriptOptions } from './run-script.js'
export { rebootAndWaitForSsh } from './reboot-and-wait.js'
export type { RebootAndWaitOptions } from './reboot-and-wait.js'
export { renderInitScript, withRootPasswordHash } from './init-script.js'
export type { InitScriptOptions } from './init-script.js'
