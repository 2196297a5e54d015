import { utils } from 'ssh2'
import { describe, expect, it } from 'vitest'

import { generateEd25519Key } from '../../src/guest/ed25519-key.js'

/** The 32 raw bytes of an ed25519 public key, from its `ssh-ed25519 AAAA…` line. */
function rawPublicKey(line: string): Buffer {
  const blob = Buffer.from(line.split(' ')[1] ?? '', 'base64')
  // string "ssh-ed25519" (4 + 11 bytes), then the key as a string (4 + 32 bytes)
  return blob.subarray(19)
}

function parse(text: string) {
  const parsed = utils.parseKey(text)
  if (parsed instanceof Error) throw parsed
  return parsed
}

describe('generateEd25519Key', () => {
  it('makes an OpenSSH private key and the matching public key line', () => {
    const pair = generateEd25519Key('pve-qemu')

    expect(pair.privateKey).toMatch(
      /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,70}\n)+-----END OPENSSH PRIVATE KEY-----\n$/,
    )
    expect(pair.publicKey).toMatch(
      /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* pve-qemu$/,
    )
    const privateKey = parse(pair.privateKey)
    const publicKey = parse(pair.publicKey)
    expect(privateKey.isPrivateKey()).toBe(true)
    expect(privateKey.getPublicSSH().equals(publicKey.getPublicSSH())).toBe(true)
    const data = Buffer.from('prove it')
    expect(publicKey.verify(data, privateKey.sign(data))).toBe(true)
    expect(privateKey.comment).toBe('pve-qemu')
  })

  it('leaves the comment off the public line when there is none', () => {
    expect(generateEd25519Key().publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=*$/)
  })

  it('keeps a public key that starts with a zero byte readable', () => {
    // ssh2's own generator shortens such keys (one in 256) to 31 bytes, which nothing reads.
    let pair = generateEd25519Key()
    for (let tries = 0; rawPublicKey(pair.publicKey)[0] !== 0 && tries < 50_000; tries += 1) {
      pair = generateEd25519Key()
    }
    expect(rawPublicKey(pair.publicKey)[0]).toBe(0)
    expect(rawPublicKey(pair.publicKey)).toHaveLength(32)

    const privateKey = parse(pair.privateKey)
    const data = Buffer.from('prove it')
    expect(parse(pair.publicKey).verify(data, privateKey.sign(data))).toBe(true)
  })
})
