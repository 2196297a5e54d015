/** The `sshkeys` format check: only URL-encoded text passes (pve.md §4.3). */
export function sshkeysFormat(value: string): string | undefined {
  return /^[-%a-zA-Z0-9_.!~*'()]*$/.test(value) ? undefined : `invalid urlencoded string: ${value}`
}

const keyLine =
  /^(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}(?: .*)?$/

/** Decodes `sshkeys` and checks each non-blank line looks like a public key (PVE runs ssh-keygen -l). */
export function validateSshKeys(encoded: string): boolean {
  let decoded: string
  try {
    decoded = decodeURIComponent(encoded)
  } catch {
    return false
  }
  return decoded
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .every((line) => keyLine.test(line))
}
