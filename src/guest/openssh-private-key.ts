/** What {@link readOpenSshPrivateKey} found in a key file. */
export type OpenSshKeyReading =
  | { kind: 'private'; type: string; publicBlob: Buffer }
  | { kind: 'public' }
  | { kind: 'encrypted' }
  | { kind: 'unreadable' }

const begin = '-----BEGIN OPENSSH PRIVATE KEY-----'
const end = '-----END OPENSSH PRIVATE KEY-----'
const magic = Buffer.from('openssh-key-v1\0', 'latin1')

/**
 * Reads an OpenSSH private key file (`openssh-key-v1`, what `ssh-keygen` has written since
 * OpenSSH 7.8 and what the service generates) far enough to know its public half and that it is
 * usable without a passphrase, without loading ssh2: its layout is PROTOCOL.key of OpenSSH
 * (magic, cipher, kdf, kdf options, key count, public keys, then the private section, which
 * starts with two equal check numbers when it is not encrypted). ssh2 parses the key in full
 * when it logs in.
 */
export function readOpenSshPrivateKey(text: string): OpenSshKeyReading {
  const trimmed = text.trim()
  if (/^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]+/.test(trimmed)) return { kind: 'public' }
  if (trimmed.startsWith('---- BEGIN SSH2 PUBLIC KEY ----')) return { kind: 'public' }
  if (!trimmed.startsWith(begin) || !trimmed.endsWith(end)) return { kind: 'unreadable' }
  const body = Buffer.from(trimmed.slice(begin.length, -end.length).replace(/\s+/g, ''), 'base64')
  if (!body.subarray(0, magic.length).equals(magic)) return { kind: 'unreadable' }
  const reader = new WireReader(body, magic.length)
  const cipher = reader.string()?.toString('latin1')
  const kdf = reader.string()?.toString('latin1')
  reader.string()
  const count = reader.uint32()
  const publicBlob = reader.string()
  const privateSection = reader.string()
  if (cipher === undefined || kdf === undefined || publicBlob === undefined) {
    return { kind: 'unreadable' }
  }
  if (cipher !== 'none' || kdf !== 'none') return { kind: 'encrypted' }
  if (count !== 1 || privateSection === undefined || privateSection.length < 8) {
    return { kind: 'unreadable' }
  }
  const secret = new WireReader(privateSection, 0)
  const checks = [secret.uint32(), secret.uint32()]
  const type = new WireReader(publicBlob, 0).string()?.toString('latin1')
  const privateType = secret.string()?.toString('latin1')
  if (checks[0] !== checks[1] || type === undefined || type !== privateType) {
    return { kind: 'unreadable' }
  }
  return { kind: 'private', type, publicBlob }
}

/** SSH wire format reading: big-endian uint32s and length-prefixed strings. */
class WireReader {
  readonly #data: Buffer
  #at: number

  constructor(data: Buffer, at: number) {
    this.#data = data
    this.#at = at
  }

  uint32(): number | undefined {
    if (this.#at + 4 > this.#data.length) return undefined
    const value = this.#data.readUInt32BE(this.#at)
    this.#at += 4
    return value
  }

  string(): Buffer | undefined {
    const length = this.uint32()
    if (length === undefined || this.#at + length > this.#data.length) return undefined
    const value = this.#data.subarray(this.#at, this.#at + length)
    this.#at += length
    return value
  }
}
