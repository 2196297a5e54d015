import type { HostKeyStore } from './host-keys.js'

/** How to log into one VM with the service key. */
export interface GuestSshTarget {
  /** the VM's IP address (an IP literal; no name is ever looked up) */
  host: string
  port: number
  /** the cloud-init user */
  username: string
  /** the service's OpenSSH private key */
  privateKey: string
  /** where the VM's host key is recorded on first contact and checked afterwards */
  hostKeys: HostKeyStore
}
