import { generateKeyPairSync, randomBytes } from 'node:crypto'

/** An ed25519 key pair as OpenSSH writes it. */
export interface OpenSshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` text, unencrypted; never log it */
  privateKey: string
  /** one authorized_keys line: `ssh-ed25519 AAAA…` and the comment, if any */
  publicKey: string
}

const keyType = 'ssh-ed25519'
/** The private key list is padded to the cipher's block size: 8 for no cipher. */
const blockSize = 8
const lineWidth = 70

/**
 * Makes a new ed25519 key pair in OpenSSH's own format (`openssh-key-v1`, no passphrase), which
 * ssh2 and OpenSSH both read. ssh2's own generator is not used: it drops leading zero bytes of
 * the public key, so about one key in 256 comes out 31 bytes long and cannot be parsed back.
 */
export function generateEd25519Key(comment = ''): OpenSshKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' })
  const seed = Buffer.from(jwk.d ?? '', 'base64url')
  const pub = Buffer.from(jwk.x ?? '', 'base64url')
  if (seed.length !== 32 || pub.length !== 32) {
    // Node always exports 32-byte ed25519 keys; anything else would write a broken key file.
    throw new Error('node:crypto exported an ed25519 key of unexpected length')
  }
  const publicBlob = Buffer.concat([sshString(keyType), sshString(pub)])
  const check = randomBytes(4)
  const keys = Buffer.concat([
    check,
    check,
    sshString(keyType),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ])
  const padLength = (blockSize - (keys.length % blockSize)) % blockSize
  const padding = Buffer.from(Array.from({ length: padLength }, (_, n) => n + 1))
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([keys, padding])),
  ])
  const base64 = body.toString('base64')
  const lines: string[] = []
  for (let at = 0; at < base64.length; at += lineWidth) lines.push(base64.slice(at, at + lineWidth))
  const publicLine = `${keyType} ${publicBlob.toString('base64')}`
  return {
    privateKey: [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      ...lines,
      '-----END OPENSSH PRIVATE KEY-----',
      '',
    ].join('\n'),
    publicKey: comment === '' ? publicLine : `${publicLine} ${comment}`,
  }
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value)
  return buffer
}

/** SSH wire `string`: a 32-bit big-endian length, then the bytes. */
function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  return Buffer.concat([uint32(bytes.length), bytes])
}
